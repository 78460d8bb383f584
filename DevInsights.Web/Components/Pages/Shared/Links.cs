namespace DevInsights.Web.Components.Pages.Shared;

/// <summary>Addresses of the dashboard's pages (relative to the base href). Client ids may contain '/' (collectors
/// build them from paths), so each segment is escaped on its own and the routes take the rest of the path.</summary>
public static class Links
{
    public static string Session(string clientSessionId) => "sessions/" + Uri.EscapeDataString(clientSessionId);

    public static string Project(long projectId) => $"projects/{projectId}";

    public static string Machine(string clientMachineId) => "machines/" + Path(clientMachineId);

    public static string Workspace(string clientWorkspaceId) => "workspaces/" + Path(clientWorkspaceId);

    private static string Path(string id) => string.Join('/', id.Split('/').Select(Uri.EscapeDataString));
}
