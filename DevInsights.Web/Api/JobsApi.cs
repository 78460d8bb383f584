using DevInsights.Core.Identity;
using DevInsights.Core.Jobs;
using DevInsights.Web.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary><c>/api/v1/admin/jobs</c>: the scheduled jobs with their state, and running one now (Admin role).</summary>
public static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/jobs").RequireAuthorization(p => p.RequireRole(Roles.Admin)).WithTags("Jobs");
        group.MapGet("/", ListJobs)
            .WithName("ListJobs")
            .WithSummary("Every job with its schedule, last run, next run and whether it is running")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPost("/{name}/run", RunJob)
            .WithName("RunJob")
            .WithSummary("Runs a job now and answers when the run has finished, with its result")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        return group;
    }

    public static async Task<Ok<IReadOnlyList<JobState>>> ListJobs(JobsOverview jobs, CancellationToken ct) =>
        TypedResults.Ok(await jobs.ListAsync(ct));

    /// <remarks>The run is not tied to the request: a client that gives up waiting does not cancel it.</remarks>
    public static async Task<Results<Ok<JobRunView>, ProblemHttpResult>> RunJob(string name, JobRunner runner)
    {
        JobRunResult result;
        try
        {
            result = await runner.RunAsync(name, "api");
        }
        catch (JobNotFoundException ex)
        {
            return TypedResults.Problem(statusCode: 404, title: "Unknown job", detail: ex.Message);
        }
        catch (JobAlreadyRunningException ex)
        {
            return TypedResults.Problem(statusCode: 409, title: "Job already running", detail: ex.Message);
        }
        catch (JobDisabledException ex)
        {
            return TypedResults.Problem(statusCode: 409, title: "Job disabled", detail: ex.Message);
        }
        var view = JobRunView.From(result);
        if (result.Succeeded) return TypedResults.Ok(view);
        return TypedResults.Problem(statusCode: 500, title: $"Job {result.Status}", detail: result.Error,
            extensions: new Dictionary<string, object?> { ["run"] = view });
    }
}
