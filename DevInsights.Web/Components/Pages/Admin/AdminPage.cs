using DevInsights.Core.Identity;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Radzen;

namespace DevInsights.Web.Components.Pages.Admin;

/// <summary>What the admin pages share: the acting administrator for the audit trail, and one way to run an
/// operation that reports its outcome as a notification.</summary>
public abstract class AdminPage : ComponentBase
{
    [Inject] public required UserAdministration Administration { get; init; }
    [Inject] public required DialogService Dialogs { get; init; }
    [Inject] public required NotificationService Notifications { get; init; }

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>The signed-in administrator (the page requires the Admin role, so there is one).</summary>
    protected async Task<AuditActor> ActorAsync()
    {
        var principal = AuthenticationState is null ? null : (await AuthenticationState).User;
        var user = principal is null ? null : CurrentUser.From(principal);
        // Circuits carry no client address; the sign-in that opened the circuit is audited with it.
        return user is null ? new AuditActor(null, "unknown") : AuditActors.From(user, null);
    }

    /// <summary>Runs <paramref name="operation"/>; a refusal of the administration becomes an error
    /// notification with its message, success the given summary.</summary>
    protected async Task<bool> RunAsync(Func<AuditActor, Task> operation, string success)
    {
        try
        {
            await operation(await ActorAsync());
            Notifications.Notify(NotificationSeverity.Success, success, duration: 4000);
            return true;
        }
        catch (UserAdministrationException ex)
        {
            Notifications.Notify(NotificationSeverity.Error, "Not done", ex.Message, duration: 8000);
            return false;
        }
    }

    protected static string When(DateTime? utc) =>
        utc is { } t ? t.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC" : "—";
}
