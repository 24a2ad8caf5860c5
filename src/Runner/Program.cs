using GenLab.Runner.Commands;

return await Cli.InvokeAsync(args);
