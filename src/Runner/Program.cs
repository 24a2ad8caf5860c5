using GenLab.Runner.Commands;
using GenLab.Models.Data;
using GenLab.Runner.Hosting;

try
{
    MklOnAmd.Apply();       // before anything loads libtorch
    TensorMemory.Apply();   // before the first tensor
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.BadInput;
}

return await Cli.InvokeAsync(args);
