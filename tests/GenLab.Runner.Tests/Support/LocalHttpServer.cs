using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GenLab.Runner.Tests.Support;

/// <summary>What <see cref="LocalHttpServer"/> answers: a status and a body, optionally cut after
/// <see cref="StallAfter"/> bytes and then held open without a further byte (a stalled server).</summary>
internal sealed record Reply(int Status, byte[] Body)
{
    public int? StallAfter { get; init; }

    public static Reply Ok(byte[] body) => new(200, body);
    public static Reply NotFound() => new(404, "not found"u8.ToArray());
}

/// <summary>An HTTP/1.1 server on 127.0.0.1 at a free port, answered by hand over a <see cref="TcpListener"/> so tests
/// control every byte (a short body, a stall) and never touch the network. Counts the requests it receives.</summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<string, Reply> _handler;
    private int _requests;

    public LocalHttpServer(Func<string, Reply> handler)
    {
        _handler = handler;
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public int Requests => Volatile.Read(ref _requests);

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path}";

    /// <summary>A URL on a port nothing listens on: the connection is refused at once.</summary>
    public static string ClosedPortUrl(string path)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}/{path}";
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                string head = await ReadHeadAsync(stream);
                Interlocked.Increment(ref _requests);
                var reply = _handler(head.Split(' ')[1].TrimStart('/'));
                string status = reply.Status == 200 ? "OK" : reply.Status == 404 ? "Not Found" : "Error";
                byte[] header = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {reply.Status} {status}\r\nContent-Length: {reply.Body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(header, _stop.Token);
                await stream.WriteAsync(reply.Body.AsMemory(0, reply.StallAfter ?? reply.Body.Length), _stop.Token);
                await stream.FlushAsync(_stop.Token);
                if (reply.StallAfter is not null) await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer) == 1)
            head.Append((char)buffer[0]);
        return head.ToString();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
