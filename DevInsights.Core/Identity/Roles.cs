namespace DevInsights.Core.Identity;

public static class Roles
{
    public const string Admin = "Admin";
    public const string TeamLead = "TeamLead";
    public const string Developer = "Developer";

    public static readonly IReadOnlyList<string> All = [Admin, TeamLead, Developer];
}
