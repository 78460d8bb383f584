namespace DevInsights.Core.Jobs;

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order. <see cref="Progress{T}"/> posts each
/// report to the thread pool when there is no synchronization context (jobs, the command line), where two reports can land
/// in either order and a progress bar would jump back.</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
