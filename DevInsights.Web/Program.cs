using DevInsights.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
// Serve wwwroot and package assets from the build output in every environment, not only Development.
builder.WebHost.UseStaticWebAssets();
builder.AddDevInsights();

var app = builder.Build();
app.MapDevInsights();
app.Run();

public partial class Program;
