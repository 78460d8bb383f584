namespace DevInsights.Core.Sessions;

/// <summary>Checks an upload field by field; every message is keyed by the field at fault.</summary>
public static class SessionUploadValidator
{
    // Column sizes of the schema (see SessionConfigurations) and sane bounds for one summary.
    public const int MaxIdLength = 200;
    public const int MaxModelLength = 200;
    public const int MaxModelsLength = 1000;
    public const int MaxTools = 500;
    public const int MaxToolNameLength = 200;
    public const int MaxTags = 50;
    public const int MaxTagLength = 100;
    public const int MaxMessages = 10_000;
    public const int MaxRoleLength = 32;
    public const int MaxBatchSessions = 100;

    public static FieldErrors Validate(SessionUpload? upload)
    {
        var errors = new FieldErrors();
        if (upload is null) return errors.Add("session", "A session object is required.");

        RequireId(errors, "sessionId", upload.SessionId);
        RequireId(errors, "workspaceId", upload.WorkspaceId);
        if (upload.Model is { Length: > MaxModelLength }) errors.Add("model", $"At most {MaxModelLength} characters.");
        if (upload.Model is not null && upload.Model.Contains(',', StringComparison.Ordinal))
            errors.Add("model", "A model name cannot contain a comma.");

        if (upload.StartedAt is null) errors.Add("startedAt", "Required (ISO 8601 date and time).");
        if (upload.StartedAt is { } started && upload.EndedAt is { } ended && ended < started)
            errors.Add("endedAt", "Must not be before startedAt.");

        if (upload.TotalMessages < 0) errors.Add("totalMessages", "Must be zero or more.");
        NonNegative(errors, "inputTokens", upload.InputTokens);
        NonNegative(errors, "outputTokens", upload.OutputTokens);
        NonNegative(errors, "cacheReadTokens", upload.CacheReadTokens);
        NonNegative(errors, "cacheCreationTokens", upload.CacheCreationTokens);
        if (!(upload.CostUsd >= 0) || double.IsInfinity(upload.CostUsd)) errors.Add("costUsd", "Must be a finite amount, zero or more.");

        ValidateTools(errors, upload.Tools);
        ValidateTags(errors, upload.Tags);
        ValidateMessages(errors, upload.Messages);
        return errors;
    }

    private static void ValidateTools(FieldErrors errors, IReadOnlyDictionary<string, ToolStats?>? tools)
    {
        if (tools is null) return;
        if (tools.Count > MaxTools) errors.Add("tools", $"At most {MaxTools} tools.");
        foreach (var (name, stats) in tools)
        {
            var field = $"tools.{name}";
            if (string.IsNullOrWhiteSpace(name)) errors.Add("tools", "A tool name cannot be empty.");
            else if (name.Length > MaxToolNameLength) errors.Add(field, $"A tool name has at most {MaxToolNameLength} characters.");
            if (stats is null)
            {
                errors.Add(field, "Counts are required: {count, success, errors}.");
                continue;
            }
            NonNegative(errors, $"{field}.count", stats.Count);
            NonNegative(errors, $"{field}.success", stats.Success);
            NonNegative(errors, $"{field}.errors", stats.Errors);
        }
    }

    private static void ValidateTags(FieldErrors errors, IReadOnlyList<string?>? tags)
    {
        if (tags is null) return;
        if (tags.Count > MaxTags) errors.Add("tags", $"At most {MaxTags} tags.");
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(tags[i])) errors.Add($"tags[{i}]", "A tag cannot be empty.");
            else if (tags[i]!.Length > MaxTagLength) errors.Add($"tags[{i}]", $"At most {MaxTagLength} characters.");
        }
    }

    private static void ValidateMessages(FieldErrors errors, IReadOnlyList<MessageUpload?>? messages)
    {
        if (messages is null) return;
        if (messages.Count > MaxMessages) errors.Add("messages", $"At most {MaxMessages} messages.");
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message is null)
            {
                errors.Add($"messages[{i}]", "A message object is required.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(message.Role)) errors.Add($"messages[{i}].role", "Required.");
            else if (message.Role.Length > MaxRoleLength) errors.Add($"messages[{i}].role", $"At most {MaxRoleLength} characters.");
            if (message.Content is null) errors.Add($"messages[{i}].content", "Required.");
        }
    }

    private static void RequireId(FieldErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add(field, "Required.");
        else if (value.Length > MaxIdLength) errors.Add(field, $"At most {MaxIdLength} characters.");
    }

    private static void NonNegative(FieldErrors errors, string field, long value)
    {
        if (value < 0) errors.Add(field, "Must be zero or more.");
    }
}
