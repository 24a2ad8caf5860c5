namespace GenLab.Runner.Hosting;

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    /// <summary>Bad input: malformed or invalid experiment, missing file, impossible device.</summary>
    public const int BadInput = 2;
    /// <summary>128 + SIGINT, as shells report a process stopped by Ctrl-C.</summary>
    public const int Interrupted = 130;
}
