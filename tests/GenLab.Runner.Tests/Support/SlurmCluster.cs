using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;

namespace GenLab.Runner.Tests.Support;

/// <summary>A one-node Slurm cluster on this machine, for as long as a test needs it: Debian's <c>slurm-wlm</c> and
/// <c>munge</c> (build/debian-packages.sh installs them), a munge key and a <c>slurm.conf</c> generated for this host,
/// <c>munged</c>, <c>slurmctld</c> and <c>slurmd</c> started as the current user, every file (state, spool, logs, socket)
/// in one temp folder, nothing in /etc. Slurm's commands find it through <see cref="Environment"/> (<c>SLURM_CONF</c>).
/// <see cref="Start"/> throws with the reason (and the daemons' logs) when it cannot start: a test must fail then, not
/// pass without Slurm.</summary>
[UnsupportedOSPlatform("windows")]
internal sealed class SlurmCluster : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _root;

    private SlurmCluster(string root) => _root = root;

    public string Conf => Path.Combine(_root, "slurm.conf");
    public string Partition => "genlab";

    /// <summary>What a process that uses this cluster's commands (sbatch, squeue) needs.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["SLURM_CONF"] = Conf };

    /// <exception cref="InvalidOperationException">The packages are missing or a daemon did not start: the reason.</exception>
    public static SlurmCluster Start()
    {
        string[] needed = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/bin/sinfo", "/usr/bin/scontrol"];
        if (needed.Where(p => !File.Exists(p)).ToList() is { Count: > 0 } missing)
            throw new InvalidOperationException($"Slurm cannot start: {string.Join(", ", missing)} missing; build/debian-packages.sh installs slurm-wlm and munge");

        // munged insists that every folder above its socket be searchable by all, and its key readable by its owner alone.
        string root = Directory.CreateTempSubdirectory("genlab-slurm-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var cluster = new SlurmCluster(root);
        try
        {
            cluster.StartDaemons();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    private void StartDaemons()
    {
        string munge = Directory.CreateDirectory(Path.Combine(_root, "munge")).FullName;
        string socket = Directory.CreateDirectory(Path.Combine(_root, "socket")).FullName;
        string logs = Directory.CreateDirectory(Path.Combine(_root, "log")).FullName;
        File.SetUnixFileMode(munge, (UnixFileMode)0b111_000_000);
        File.SetUnixFileMode(socket, (UnixFileMode)0b111_101_101);
        string key = Path.Combine(munge, "munge.key");
        File.WriteAllBytes(key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(key, (UnixFileMode)0b100_000_000);
        string mungeSocket = Path.Combine(socket, "munge.sock");
        Must("munged", ["--key-file", key, "--socket", mungeSocket, "--pid-file", Path.Combine(munge, "munged.pid"),
            "--log-file", Path.Combine(logs, "munged.log"), "--seed-file", Path.Combine(munge, "munge.seed")]);

        string user = System.Environment.UserName;
        // slurmctld runs only on the host slurm.conf names, by its short name; the node is reached on loopback.
        string host = System.Environment.MachineName.Split('.')[0];
        File.WriteAllText(Conf, $"""
            # One-node test cluster, written by GenLab's tests; every path is in {_root}.
            ClusterName=genlabtest
            SlurmctldHost={host}(127.0.0.1)
            SlurmUser={user}
            SlurmdUser={user}
            SlurmctldPort={FreePort()}
            SlurmdPort={FreePort()}
            AuthType=auth/munge
            AuthInfo=socket={mungeSocket}
            CredType=cred/munge
            StateSaveLocation={Directory.CreateDirectory(Path.Combine(_root, "state")).FullName}
            SlurmdSpoolDir={Directory.CreateDirectory(Path.Combine(_root, "spool")).FullName}
            SlurmctldPidFile={Path.Combine(_root, "slurmctld.pid")}
            SlurmdPidFile={Path.Combine(_root, "slurmd.pid")}
            SlurmctldLogFile={Path.Combine(logs, "slurmctld.log")}
            SlurmdLogFile={Path.Combine(logs, "slurmd.log")}
            # No cgroups, no accounting daemon: what a container or a CI machine allows.
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            SchedulerType=sched/builtin
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            MpiDefault=none
            SwitchType=switch/none
            ReturnToService=2
            NodeName=genlab0 NodeHostname={host} NodeAddr=127.0.0.1 CPUs={System.Environment.ProcessorCount} RealMemory=500 State=UNKNOWN
            PartitionName={Partition} Nodes=genlab0 Default=YES MaxTime=INFINITE State=UP
            """ + "\n");

        Must("slurmctld", ["-i"]);     // -i: ignore any state a previous test left (there is none: a fresh folder)
        Must("slurmd", ["-N", "genlab0"]);
        var clock = Stopwatch.StartNew();
        string state = "";
        while (clock.Elapsed < StartTimeout)
        {
            var (exit, output) = Run("sinfo", ["--noheader", "--format=%T", $"--partition={Partition}"]);
            state = output.Trim();
            if (exit == 0 && state is "idle" or "mixed" or "allocated") return;
            Thread.Sleep(250);
        }
        throw new InvalidOperationException($"Slurm did not start: node state '{state}' after {StartTimeout.TotalSeconds} s\n{Logs()}");
    }

    /// <summary>Waits until Slurm no longer has <paramref name="jobId"/> queued or running.</summary>
    public void WaitForJob(string jobId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var (_, output) = Run("squeue", [$"--jobs={jobId}", "--noheader", "--format=%T"]);
            if (!output.Split('\n').Any(s => s.Trim() is "PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING")) return;
            Thread.Sleep(500);
        }
        throw new TimeoutException($"Slurm job {jobId} still queued or running after {timeout.TotalSeconds} s\n{Logs()}");
    }

    /// <summary>The daemons' logs' last lines, for a failure message.</summary>
    public string Logs()
    {
        string dir = Path.Combine(_root, "log");
        if (!Directory.Exists(dir)) return "";
        return string.Join("\n", Directory.EnumerateFiles(dir).Order().Select(f =>
            $"--- {Path.GetFileName(f)}\n" + string.Join("\n", File.ReadLines(f).TakeLast(15))));
    }

    public void Dispose()
    {
        Run("scontrol", ["shutdown"]);      // stops slurmctld and slurmd
        foreach (string pidFile in new[] { "slurmd.pid", "slurmctld.pid", "munge/munged.pid" }.Select(f => Path.Combine(_root, f)))
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid)) Stop(pid);
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }     // a daemon still writing its log: the temp folder is the system's to clean
    }

    /// <summary>Waits a few seconds for the daemon to exit after <c>scontrol shutdown</c>, then ends it.</summary>
    private static void Stop(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.ProcessName is not ("slurmd" or "slurmctld" or "munged")) return;     // not ours: the pid was reused
            if (process.ProcessName == "munged") process.Kill();
            if (!process.WaitForExit(5000)) process.Kill();
            process.WaitForExit(5000);
        }
        catch (ArgumentException) { }       // already gone
        catch (InvalidOperationException) { }
    }

    private void Must(string daemon, IEnumerable<string> args)
    {
        var (exit, output) = Run($"/usr/sbin/{daemon}", args);
        if (exit != 0) throw new InvalidOperationException($"Slurm cannot start: {daemon} exited with {exit}: {output.Trim()}\n{Logs()}");
    }

    /// <summary>Runs a Slurm or munge command against this cluster; its exit code and output.</summary>
    public (int Exit, string Output) Run(string command, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment["SLURM_CONF"] = Conf;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{command} did not answer within 30 s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
