# DevInsights server image.
#   docker build -t devinsights .
#   docker run -d -p 8080:8080 -p 4317:4317 -v devinsights-data:/data devinsights

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone first, so that the package layer is reused until a dependency changes.
# global.json is left out on purpose: it pins the SDK of our build machines; here the image's SDK is the pin.
COPY nuget.config Directory.Build.props Directory.Packages.props ./
COPY DevInsights.Core/DevInsights.Core.csproj DevInsights.Core/
COPY DevInsights.Web/DevInsights.Web.csproj DevInsights.Web/BlazorClientScript.targets DevInsights.Web/
RUN dotnet restore DevInsights.Web/DevInsights.Web.csproj
COPY DevInsights.Core/ DevInsights.Core/
COPY DevInsights.Web/ DevInsights.Web/
RUN dotnet publish DevInsights.Web/DevInsights.Web.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# The aspnet image has neither curl nor wget, and HEALTHCHECK needs an HTTP client. Installing curl from the
# distribution is the simplest choice that is certainly correct; a chiseled image would save space but has no
# shell or package manager, and would need a health probe built into the app instead.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
COPY appsettings.json ./
# Created here and owned by the image's non-root "app" user, so that a new named volume inherits the ownership.
RUN mkdir -p /data && chown "$APP_UID" /data
ENV DevInsights__DataDirectory=/data \
    ASPNETCORE_URLS=http://+:8080
VOLUME /data
USER $APP_UID
# 8080: UI, REST API, OTLP/HTTP and /health. 4317: OTLP/gRPC (all interfaces here, since the app listens on +:8080).
EXPOSE 8080 4317
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["dotnet", "DevInsights.Web.dll"]
