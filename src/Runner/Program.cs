using GenLab.Runner.Commands;
using GenLab.Runner.Hosting;

try { MklOnAmd.Apply(); } // before anything loads libtorch
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.BadInput;
}

return await Cli.InvokeAsync(args);
