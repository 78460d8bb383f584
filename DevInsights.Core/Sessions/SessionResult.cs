namespace DevInsights.Core.Sessions;

public enum SessionResultStatus
{
    Ok,
    /// <summary>The input is wrong; <see cref="SessionResult{T}.Errors"/> names each field at fault.</summary>
    Invalid,
    /// <summary>The session exists and belongs to another developer.</summary>
    Forbidden,
    /// <summary>No such session, or one the caller may not know about.</summary>
    NotFound,
}

/// <summary>What a session operation produced, so that transports map it to their own status codes.</summary>
public sealed class SessionResult<T>
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    private SessionResult(SessionResultStatus status, T? value, IReadOnlyDictionary<string, string[]>? errors, string? detail)
    {
        Status = status;
        Value = value;
        Errors = errors ?? NoErrors;
        Detail = detail;
    }

    public SessionResultStatus Status { get; }
    public T? Value { get; }
    /// <summary>Messages keyed by the field at fault ("inputTokens", "messages[2].role", ...).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
    public string? Detail { get; }

    public static SessionResult<T> Ok(T value) => new(SessionResultStatus.Ok, value, null, null);
    public static SessionResult<T> Invalid(FieldErrors errors) => new(SessionResultStatus.Invalid, default, errors.ToDictionary(), "One or more fields are invalid.");
    public static SessionResult<T> Invalid(string field, string message) => Invalid(new FieldErrors().Add(field, message));
    public static SessionResult<T> Forbidden(string detail) => new(SessionResultStatus.Forbidden, default, null, detail);
    public static SessionResult<T> NotFound(string detail) => new(SessionResultStatus.NotFound, default, null, detail);
}

/// <summary>Validation messages collected per field, in the order found.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
