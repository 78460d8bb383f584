using System.Text.Json;

namespace DevInsights.Core.Hierarchy;

/// <summary>The one set of rules for hierarchy input, shared by the API (which answers 400 naming the field) and
/// the service (which refuses invalid input from any other caller). Keys are the API's field names.</summary>
/// <remarks>Limits are the column sizes of 0001_initial.sql: PostgreSQL would reject longer values, SQLite would
/// silently keep them, so both providers get the same answer here.</remarks>
public static class HierarchyValidation
{
    public const int MaxMetadataChars = 16 * 1024;
    public const int MaxRepoUrlChars = 500;

    public static Dictionary<string, string[]> Validate(MachineUpsert input)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Required(errors, "machineId", input.ClientMachineId, 200);
        Optional(errors, "hostname", input.Hostname, 255);
        Optional(errors, "os", input.Os, 100);
        Optional(errors, "osVersion", input.OsVersion, 100);
        Optional(errors, "arch", input.Arch, 50);
        Optional(errors, "ip", input.Ip, 64);
        if (input.Metadata is { } metadata)
        {
            if (metadata.ValueKind != JsonValueKind.Object)
                errors["metadata"] = [$"metadata must be a JSON object, not {metadata.ValueKind.ToString().ToLowerInvariant()}."];
            else if (metadata.GetRawText().Length > MaxMetadataChars)
                errors["metadata"] = [$"metadata must be at most {MaxMetadataChars} characters of JSON."];
        }
        return errors;
    }

    public static Dictionary<string, string[]> Validate(WorkspaceUpsert input)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Required(errors, "workspaceId", input.ClientWorkspaceId, 200);
        Required(errors, "machineId", input.ClientMachineId, 200);
        Optional(errors, "repoUrl", input.RepoUrl, MaxRepoUrlChars);
        Optional(errors, "path", input.Path, 1000);
        Optional(errors, "branch", input.Branch, 255);
        Optional(errors, "commit", input.Commit, 64);
        return errors;
    }

    public static Dictionary<string, string[]> Validate(EventQuery query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Optional(errors, "machineId", query.ClientMachineId, 200);
        Optional(errors, "workspaceId", query.ClientWorkspaceId, 200);
        if (query.Limit is < 1 or > EventQuery.MaxLimit)
            errors["limit"] = [$"limit must be between 1 and {EventQuery.MaxLimit}."];
        if (query.From is { } from && query.To is { } to && from >= to)
            errors["to"] = ["to must be later than from."];
        if (query.Cursor is not null && !EventCursor.TryDecode(query.Cursor, out _))
            errors["cursor"] = ["cursor is not a cursor returned by this endpoint."];
        return errors;
    }

    /// <summary>Throws <see cref="HierarchyValidationException"/> when <paramref name="errors"/> is not empty.</summary>
    public static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0) throw new HierarchyValidationException(errors);
    }

    private static void Required(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) errors[field] = [$"{field} is required."];
        else Optional(errors, field, value, maxLength);
    }

    private static void Optional(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
            errors[field] = [$"{field} must be at most {maxLength} characters (got {value.Length})."];
    }
}

/// <summary>Input the hierarchy refused; <see cref="Errors"/> is keyed by the API field at fault.</summary>
public sealed class HierarchyValidationException(IReadOnlyDictionary<string, string[]> errors)
    : ArgumentException("Invalid hierarchy input: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
