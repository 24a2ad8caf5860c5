namespace GenLab.Runner.Sweeps;

/// <summary>POSIX shell quoting, for commands shown to the user and written into batch scripts: what can be pasted
/// back into a terminal and means the same arguments.</summary>
public static class Shell
{
    /// <summary><c>training.lr=0.003</c> stays as it is; <c>training.lr=[1, 2]</c> becomes <c>'training.lr=[1, 2]'</c>
    /// (brackets are glob characters, spaces split words); a quote inside becomes <c>'\''</c>.</summary>
    public static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";

    public static string Quote(IEnumerable<string> args) => string.Join(' ', args.Select(Quote));
}
