using GenLab.Runner.Config;
using GenLab.Runner.Hosting;

namespace GenLab.Runner.Commands;

public static class ValidateCommand
{
    /// <summary><c>validate &lt;yaml&gt;...</c>: loads each file strictly, runs nothing.</summary>
    public static int Execute(IReadOnlyList<string> paths, IReadOnlyList<string> overrides)
    {
        int failures = 0;
        foreach (string path in paths)
        {
            try
            {
                var loaded = ExperimentLoader.Load(path, overrides);
                string variant = loaded.HasCiVariant ? $", CI variant {ExperimentLoader.Load(path, overrides, ci: true).ConfigHash}" : "";
                Console.WriteLine($"ok      {path}  ({loaded.Config.Name}, {ConfigNames.EnumSpelling(typeof(ExperimentKind), loaded.Config.Kind)}, config {loaded.ConfigHash}{variant})");
            }
            catch (ConfigException e)
            {
                failures++;
                Console.Error.WriteLine($"invalid {path}");
                Console.Error.WriteLine(e.Message);
            }
        }
        return failures == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
    }
}
