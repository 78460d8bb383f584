using System.Text.RegularExpressions;
using DevInsights.Web.Admin;

namespace DevInsights.Tests.Admin;

/// <summary>Runs <c>admin</c> commands in-process against a test host's services, capturing both streams.</summary>
internal static partial class AdminCliRunner
{
    public sealed record CliResult(int ExitCode, string Output, string Error)
    {
        /// <summary>The secret printed on the <c>API key: </c> line, or null when there is none.</summary>
        public string? Key => KeyOf(Output);
    }

    public static async Task<CliResult> RunAsync(IServiceProvider services, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AdminCli.RunAsync(services, ["admin", .. args], output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static string? KeyOf(string output)
    {
        var match = KeyLine().Match(output);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^API key: (dvi_[A-Za-z0-9_-]{43})\r?$", RegexOptions.Multiline)]
    private static partial Regex KeyLine();
}
