using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Data;

/// <summary>Makes the data an experiment names by URL and SHA-256 usable before a run starts: a copy the search found
/// is hashed and used only when it matches; a missing file is fetched once into the cache.
/// <para>A fetch streams into a hidden <c>.part</c> file beside its cache path while hashing, and is renamed into place
/// only when complete and matching, so a failed, wrong or interrupted download never becomes the cached file and the
/// temporary file is removed. Nothing is written outside the cache folder. Every wait has a limit: connecting, the
/// response headers, and each read of the body.</para></summary>
public sealed class DataFetcher(DataSearch search, ILogger logger, bool interactive)
{
    internal TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>The longest wait for the response headers or the next bytes of the body.</summary>
    internal TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <exception cref="DataUnavailableException">A copy does not match, or a fetch failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="stop"/> was cancelled (Ctrl-C); nothing was cached.</exception>
    public async Task EnsureAsync(IReadOnlyList<LocatedData> files, CancellationToken stop)
    {
        foreach (var data in files.DistinctBy(f => f.Path))
        {
            if (data.Exists)
            {
                Verify(data, search);
                logger.LogInformation("{Key}: {File} ({Sha256}…) from {Folder}", data.KeyPath, data.Source.File,
                    data.Source.Sha256[..12], Path.GetDirectoryName(data.Path));
            }
            // A data folder's copy removed since the search found it: fetching it would write outside the cache.
            else if (!search.InCache(data.Path)) throw DataUnavailableException.Unreachable(data, $"{data.Path} is gone", search);
            else await FetchAsync(data, stop);
        }
    }

    /// <summary>Hashes a local copy; a mismatch is an error, never a reason to use or replace it silently.</summary>
    public static void Verify(LocatedData data, DataSearch search)
    {
        string actual;
        using (var stream = File.OpenRead(data.Path)) actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (actual != data.Source.Sha256) throw DataUnavailableException.Mismatch(data, actual, search);
    }

    private async Task FetchAsync(LocatedData data, CancellationToken stop)
    {
        var source = data.Source;
        string folder = Path.GetDirectoryName(data.Path)!;
        string temp = Path.Combine(folder, $".{source.File}.{Guid.NewGuid():N}.part");
        logger.LogInformation("{Key}: fetching {File} from {Url} into {Folder}", data.KeyPath, source.File, source.Url, folder);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = ConnectTimeout }) { Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("GenLab", "1.0"));
            // One token for every wait: re-armed before each read, so only a stalled server trips it, not a long download.
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(stop);
            stall.CancelAfter(StallTimeout);
            using var response = await http.GetAsync(source.Url, HttpCompletionOption.ResponseHeadersRead, stall.Token);
            if (!response.IsSuccessStatusCode)
                throw DataUnavailableException.Unreachable(data, $"HTTP {(int)response.StatusCode} ({response.ReasonPhrase})", search);

            Directory.CreateDirectory(folder);
            var progress = new DownloadProgress(logger, source.File, response.Content.Headers.ContentLength, interactive);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long received = 0;
            await using (var body = await response.Content.ReadAsStreamAsync(stall.Token))
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                while (true)
                {
                    stall.CancelAfter(StallTimeout);
                    int read = await body.ReadAsync(buffer, stall.Token);
                    if (read == 0) break;
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), stop);
                    received += read;
                    progress.Report(received);
                }
            }
            progress.Finish(received);

            string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != source.Sha256) throw DataUnavailableException.FetchedMismatch(data, actual, received, search);
            // Overwrite: another process may have fetched the same verified bytes meanwhile.
            File.Move(temp, data.Path, overwrite: true);
            logger.LogInformation("{Key}: {File} verified and cached as {Path}", data.KeyPath, source.File, data.Path);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw DataUnavailableException.Unreachable(data, $"no answer for {StallTimeout.TotalSeconds:0} s (timed out)", search);
        }
        catch (HttpRequestException e)
        {
            throw DataUnavailableException.Unreachable(data, e.Message, search);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A body cut short, or a cache folder that cannot be written.
            throw DataUnavailableException.Unreachable(data, e.Message, search);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
