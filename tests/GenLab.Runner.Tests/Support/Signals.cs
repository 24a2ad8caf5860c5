using System.Runtime.InteropServices;

namespace GenLab.Runner.Tests.Support;

/// <summary>Signals the tests send to the genlab processes they start (Ctrl-C is SIGINT, 2).</summary>
internal static class Signals
{
    public const int Interrupt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <returns>kill(2)'s result: 0 when sent.</returns>
    /// <exception cref="InvalidOperationException">SIGINT is ignored in this process, so every child inherits that
    /// and would never see the Ctrl-C the test sends (a test run started with <c>&amp;</c> from a script does this).</exception>
    public static int Send(int pid, int signal)
    {
        if (signal == Interrupt && SigintIgnored())
            throw new InvalidOperationException("SIGINT is ignored in the test process (started in the background by a non-interactive "
                + "shell?), and its genlab children inherit that: run the tests from a terminal, or reset it first, e.g. "
                + "python3 -c \"import signal,os; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp('dotnet', ['dotnet','test'])\"");
        return Kill(pid, signal);
    }

    /// <summary>Bit 1 (signal 2) of the SigIgn mask in /proc/self/status; false where there is no /proc.</summary>
    private static bool SigintIgnored()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return false;
        string? line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (Interrupt - 1))) != 0;
    }
}
