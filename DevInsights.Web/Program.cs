using DevInsights.Web.Admin;
using DevInsights.Web.Hosting;

// "admin <command>" administers users and keys against the configured database, then exits.
if (AdminHost.IsAdminCommand(args)) return await AdminHost.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
// Serve wwwroot and package assets from the build output in every environment, not only Development.
builder.WebHost.UseStaticWebAssets();
builder.AddDevInsights();

var app = builder.Build();
app.MapDevInsights();
app.Run();
return 0;

public partial class Program;
