using System.CommandLine;
using GenLab.Models.Diffusion;
using GenLab.Runner.Data;
using GenLab.Runner.Export;
using GenLab.Runner.Sweeps;

namespace GenLab.Runner.Commands;

/// <summary>The command line. <see cref="Create"/> is the seam tests call.</summary>
public static class Cli
{
    public static RootCommand Create(IReadOnlyList<string> commandLine)
    {
        var root = new RootCommand("GenLab: declarative generative-AI experiments on TorchSharp, with versioned runs and reports.");

        var experiment = new Argument<string>("experiment") { Description = "Experiment YAML file." };
        var set = new Option<string[]>("--set")
        {
            Description = "Override a key: --set training.lr=3e-4 (repeatable; values are YAML).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var device = new Option<string?>("--device") { Description = "auto, cpu or cuda (overrides `device`)." };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var seed = new Option<long?>("--seed") { Description = "Overrides `seed`." };
        var results = new Option<string>("--results")
        {
            Description = "Folder that receives run folders.",
            DefaultValueFactory = _ => "results",
        };

        var dataDir = new Option<string[]>("--data-dir")
        {
            Description = "A folder to look in for data the experiment names by URL and SHA-256, before GENLAB_DATA and the cache (repeatable).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        DataSearch Data(ParseResult parse) => DataSearch.FromEnvironment(parse.GetValue(dataDir) ?? []);

        var ci = new Option<bool>("--ci") { Description = "Run the reduced variant the file declares for CI (its `ci:` section)." };
        var run = new Command("run", "Train an experiment into a new run folder.") { experiment, set, device, seed, results, ci, dataDir };
        run.SetAction((parse, _) => RunCommand.ExecuteAsync(parse.GetValue(experiment)!, parse.GetValue(set) ?? [],
            parse.GetValue(device), parse.GetValue(seed), parse.GetValue(results)!, commandLine, parse.GetValue(ci), Data(parse)));

        var runDirectory = new Argument<string>("run-dir") { Description = "A run folder (results/<name>/<run> or results/<name>/latest)." };
        var allowChanged = new Option<bool>("--allow-changed")
        {
            Description = "Resume even if the run's experiment.yaml or data changed since it started (the run is marked changed).",
        };
        var resume = new Command("resume", "Continue a run from its newest valid checkpoint.") { runDirectory, allowChanged, dataDir };
        resume.SetAction((parse, _) => RunCommand.ResumeAsync(parse.GetValue(runDirectory)!, commandLine, Data(parse), parse.GetValue(allowChanged)));

        var files = new Argument<string[]>("experiments") { Description = "Experiment YAML files.", Arity = ArgumentArity.OneOrMore };
        var validate = new Command("validate", "Check experiment files (and their CI variants) without running them; fetches nothing.")
            { files, set, dataDir };
        validate.SetAction(parse => ValidateCommand.Execute(parse.GetValue(files)!, parse.GetValue(set) ?? [], Data(parse)));

        var listRoot = new Argument<string>("dir") { Description = "Results folder.", DefaultValueFactory = _ => "results" };
        var listJson = new Option<bool>("--json") { Description = "Print the runs as JSON (for scripts)." };
        var list = new Command("list", "List runs: name, status, steps, best metric, start time, path, and the config keys that tell runs of one experiment apart.")
            { listRoot, listJson };
        list.SetAction(parse => ListCommand.Execute(parse.GetValue(listRoot)!, parse.GetValue(listJson)));

        var resultsFolder = new Option<string>("--results")
        {
            Description = "The results folder (where latest:<name> and reference/ are looked up).",
            DefaultValueFactory = _ => "results",
        };
        var compareRuns = new Argument<string[]>("runs")
        {
            Description = "Run folders, results/<name>/latest or latest:<name> (two or more; one with --ref).", Arity = ArgumentArity.ZeroOrMore,
        };
        var compareRef = new Option<string?>("--ref")
        {
            Description = "Also compare with the reference run of each run's experiment (results/reference/<name>), or of the folder given.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var compareOut = new Option<string?>("--out") { Description = "Folder to write index.html and README.md into (default: <results>/compare/<runs>)." };
        var compare = new Command("compare", "Compare runs: config keys that differ, metrics, overlaid curves, samples and report sections side by side.")
            { compareRuns, compareRef, compareOut, resultsFolder };
        compare.SetAction(parse => CompareCommand.Execute(parse.GetValue(compareRuns) ?? [], parse.GetResult(compareRef) is not null,
            parse.GetValue(compareRef), parse.GetValue(compareOut), parse.GetValue(resultsFolder)!));

        var port = new Option<int>("--port") { Description = "TCP port (0: any free port).", DefaultValueFactory = _ => ServeCommand.DefaultPort };
        var bind = new Option<string>("--host")
        {
            Description = "Address to listen on; the default serves this machine only.", DefaultValueFactory = _ => ServeCommand.DefaultHost,
        };
        var serve = new Command("serve", "A local dashboard of the results folder: runs, live progress, reports and comparisons (read only).")
            { resultsFolder, port, bind };
        serve.SetAction((parse, _) => ServeCommand.ExecuteAsync(parse.GetValue(resultsFolder)!, parse.GetValue(port), parse.GetValue(bind)!));

        var reportDirectory = new Argument<string>("run-dir") { Description = "A run folder." };
        var report = new Command("report", "Regenerate a run's report from its files.") { reportDirectory };
        report.SetAction(parse => ReportCommand.Execute(parse.GetValue(reportDirectory)!));

        var filter = new Option<string?>("--filter") { Description = "Only experiments whose name or file name matches (globs, comma-separated)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what is stale without running it." };
        var reproduceFiles = new Argument<string[]>("experiments") { Description = "Experiment YAML files.", Arity = ArgumentArity.OneOrMore };
        var reproduce = new Command("reproduce", "Rerun experiments whose config, data or model code changed since their last completed run.")
            { reproduceFiles, filter, dryRun, results, dataDir };
        reproduce.SetAction((parse, _) => ReproduceCommand.ExecuteAsync(parse.GetValue(reproduceFiles)!, parse.GetValue(filter),
            parse.GetValue(results)!, parse.GetValue(dryRun), commandLine, Data(parse)));

        var sampleFrom = new Argument<string>("run-dir") { Description = "A GPT run folder (its best checkpoint), a checkpoint folder, or latest:<name>; with --image, a diffusion or super-resolution run." };
        var prompt = new Option<string>("--prompt") { Description = "Text to continue.", DefaultValueFactory = _ => "" };
        var question = new Option<string?>("--question") { Description = "Ask a fine-tuned model: wraps the text in the Q&A prompt template." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens to generate.", DefaultValueFactory = _ => 200 };
        var temperature = new Option<double>("--temperature") { Description = "Softmax temperature (0 = greedy).", DefaultValueFactory = _ => 0.8 };
        var topK = new Option<int?>("--top-k") { Description = "Sample among the k most likely tokens." };
        var topP = new Option<double?>("--top-p") { Description = "Nucleus sampling: the smallest set with probability >= p." };
        var sampleSeed = new Option<long>("--seed") { Description = "Seed of the sampling generator.", DefaultValueFactory = _ => 1337 };
        var noCache = new Option<bool>("--no-cache") { Description = "Recompute the whole context at every step (no KV cache)." };
        var image = new Option<string?>("--image") { Description = "A diffusion run: edit this PNG (SDEdit, or RePaint with --inpaint); a super-resolution run: upscale it. Instead of generating text." };
        var imageOut = new Option<string?>("--out") { Description = "With --image: the PNG to write." };
        var strength = new Option<double>("--strength") { Description = "With --image: SDEdit's strength t0 in (0, 1] (how much the model may change).", DefaultValueFactory = _ => 0.6 };
        var sketch = new Option<bool>("--sketch") { Description = "With --image: start SDEdit from the picture's flat colour blob (sketch to item)." };
        var inpaint = new Option<MaskShape?>("--inpaint") { Description = "With --image: hide this part (box, bottom or right) and fill it with RePaint." };
        var maskSize = new Option<double>("--mask-size") { Description = "With --inpaint: the hidden part's share of the side.", DefaultValueFactory = _ => 0.5 };
        var imageSteps = new Option<int?>("--steps") { Description = "With --image: DDIM steps of a whole run (the model's sample_steps by default)." };
        var sample = new Command("sample", "Generate text with a trained GPT, or edit a picture with a trained diffusion model (--image).")
            { sampleFrom, prompt, question, maxTokens, temperature, topK, topP, sampleSeed, noCache, image, imageOut, strength, sketch, inpaint, maskSize, imageSteps };
        sample.SetAction(parse => parse.GetValue(image) is { } picture
            ? parse.GetValue(imageOut) is { } output
                ? ImageEditCommand.Execute(parse.GetValue(sampleFrom)!, new ImageEditCommand.Options(picture, output, parse.GetValue(strength),
                    parse.GetValue(sketch), parse.GetValue(inpaint), parse.GetValue(maskSize), parse.GetValue(imageSteps), parse.GetValue(sampleSeed)))
                : CliErrors.Report("--image needs --out: the PNG to write")
            : SampleCommand.Execute(parse.GetValue(sampleFrom)!, new SampleCommand.Options(
                parse.GetValue(prompt) ?? "", parse.GetValue(question), parse.GetValue(maxTokens), parse.GetValue(temperature),
                parse.GetValue(topK), parse.GetValue(topP), parse.GetValue(sampleSeed), parse.GetValue(noCache))));

        var verifyPaths = new Argument<string[]>("experiments")
        {
            Description = "Experiment files or folders (default: experiments).", Arity = ArgumentArity.ZeroOrMore,
        };
        var verifyCi = new Option<bool>("--ci") { Description = "Run the reduced variant each file declares for CI (its `ci:` section), where it has one." };
        var reference = new Option<string?>("--reference") { Description = "Also write each passing run as a reference (results, metrics, report figures) under this folder." };
        var verifyParallel = new Option<int>("--parallel")
        {
            Description = "Runs at once, the cores split between them (longest first, by the committed reference runs' durations).",
            DefaultValueFactory = _ => 1,
        };
        var verify = new Command("verify", "Run every CPU experiment and check its stated expectations; prints a table, exits 1 on any miss.")
            { verifyPaths, verifyCi, filter, results, reference, dataDir, verifyParallel };
        verify.SetAction(parse => VerifyCommand.Execute(new VerifyCommand.Options(
            parse.GetValue(verifyPaths) is { Length: > 0 } paths ? paths : ["experiments"], parse.GetValue(verifyCi),
            parse.GetValue(filter), parse.GetValue(results)!, parse.GetValue(reference), Data(parse), parse.GetValue(verifyParallel),
            VerifyCommand.ReferenceFolder(parse.GetValue(results)!))));

        var exportFrom = new Argument<string>("run-dir") { Description = "A run folder (its best checkpoint) or a checkpoint folder." };
        var exportFormat = new Option<ExportFormat>("--format")
        {
            Description = "safetensors (model.safetensors) or pytorch (pytorch_model.bin, for torch.load).",
            DefaultValueFactory = _ => ExportFormat.Safetensors,
        };
        var exportOut = new Option<string?>("--out") { Description = "Folder to write into (default: <run>/export)." };
        var export = new Command("export", "Write a run's weights (safetensors or PyTorch), config.json and tokenizer (.tiktoken, tokenizer.json).")
            { exportFrom, exportFormat, exportOut, dataDir };
        export.SetAction(parse => ExportCommand.Execute(parse.GetValue(exportFrom)!, parse.GetValue(exportFormat), parse.GetValue(exportOut), Data(parse)));

        var sweepExperiment = new Argument<string>("experiment") { Description = "Experiment YAML file (its sweep: section, if any, and the --grids say what varies)." };
        var grid = new Option<string[]>("--grid")
        {
            Description = "Sweep a key over values: --grid training.lr=[3e-4,1e-3] (repeatable; every combination runs; values are YAML).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var executor = new Option<string?>("--executor") { Description = "local (the default): the runs on this machine; slurm: one sbatch --array job." };
        executor.AcceptOnlyFromAmong("local", "slurm");
        var parallel = new Option<int?>("--parallel")
        {
            Description = "local: runs at once, the cores split between them (default 1); slurm: at most this many array tasks at once.",
        };
        var partition = new Option<string?>("--partition") { Description = "slurm: the partition (sbatch --partition)." };
        var time = new Option<string?>("--time") { Description = "slurm: each task's time limit (sbatch --time, e.g. 30:00); a run checkpoints 2 minutes before it." };
        var cpusPerTask = new Option<int?>("--cpus-per-task") { Description = "slurm: CPUs per task (sbatch --cpus-per-task); a run's threads follow it." };
        var gres = new Option<string?>("--gres") { Description = "slurm: generic resources per task (sbatch --gres, e.g. gpu:1)." };
        var wait = new Option<bool>("--wait") { Description = "slurm: wait until the tasks end, then write the report." };
        var keepExpect = new Option<bool>("--keep-expect")
        {
            Description = "Keep the file's expect: in every run (a run that misses it fails). Without it a sweep's runs drop it (--set expect=null): it states results for the file's own settings.",
        };
        var sweepDryRun = new Option<bool>("--dry-run") { Description = "Print the runs and their commands; write and start nothing." };
        SweepExecutor? Executor(ParseResult parse, SweepExecutor? previous = null)
        {
            string? kind = parse.GetValue(executor);
            bool any = kind is not null || new Option[] { parallel, partition, time, cpusPerTask, gres }.Any(o => parse.GetResult(o) is not null);
            if (!any && previous is not null) return null;
            var k = kind is null ? previous?.Kind ?? SweepExecutorKind.Local : kind == "slurm" ? SweepExecutorKind.Slurm : SweepExecutorKind.Local;
            var same = previous?.Kind == k ? previous : null;
            return new SweepExecutor(k, parse.GetValue(parallel) ?? same?.Parallel, parse.GetValue(partition) ?? same?.Partition,
                parse.GetValue(time) ?? same?.Time, parse.GetValue(cpusPerTask) ?? same?.CpusPerTask, parse.GetValue(gres) ?? same?.Gres);
        }
        var sweepDir = new Argument<string>("sweep-dir") { Description = "A sweep folder: results/<name>/sweeps/<id>, or results/<name>/sweeps/latest." };
        var sweepStatus = new Command("status", "Where each run of a sweep stands (Slurm's state and its run folder); writes the report once none is queued or running.")
            { sweepDir };
        sweepStatus.SetAction(parse => SweepCommand.Status(parse.GetValue(sweepDir)!));
        var sweepResume = new Command("resume", "Start again the runs of a sweep that did not complete (resumed from their checkpoints), as they were run or with another executor.")
            { sweepDir, executor, parallel, partition, time, cpusPerTask, gres, wait };
        sweepResume.SetAction((parse, _) =>
        {
            string dir = parse.GetValue(sweepDir)!;
            SweepExecutor? previous = null;
            try { previous = SweepFolder.Open(dir).Manifest.Executor; }
            catch (InvalidDataException) { }    // ResumeAsync reports it
            return SweepCommand.ResumeAsync(dir, Executor(parse, previous ?? new SweepExecutor(SweepExecutorKind.Local)), parse.GetValue(wait));
        });
        var sweep = new Command("sweep", "Run an experiment once per point of a grid (--grid, its sweep: section), here or as a Slurm job array, and compare the runs in one report.")
            { sweepExperiment, grid, set, executor, parallel, partition, time, cpusPerTask, gres, wait, keepExpect, sweepDryRun, results, ci, dataDir, sweepStatus, sweepResume };
        sweep.SetAction((parse, _) => SweepCommand.ExecuteAsync(parse.GetValue(sweepExperiment)!, new SweepCommand.Options(
            parse.GetValue(grid) ?? [], parse.GetValue(set) ?? [], parse.GetValue(results)!, parse.GetValue(ci), Data(parse), parse.GetValue(dataDir) ?? [],
            Executor(parse)!, parse.GetValue(wait), parse.GetValue(sweepDryRun), parse.GetValue(keepExpect))));

        var schemaOut = new Option<string?>("--out") { Description = "Write the schema to this file instead of standard output." };
        var schema = new Command("schema", "Print the JSON Schema of experiment files (editors use it for completion and checking).") { schemaOut };
        schema.SetAction(parse => SchemaCommand.Execute(parse.GetValue(schemaOut)));

        root.Subcommands.Add(run);
        root.Subcommands.Add(sample);
        root.Subcommands.Add(resume);
        root.Subcommands.Add(validate);
        root.Subcommands.Add(list);
        root.Subcommands.Add(report);
        root.Subcommands.Add(compare);
        root.Subcommands.Add(serve);
        root.Subcommands.Add(reproduce);
        root.Subcommands.Add(verify);
        root.Subcommands.Add(sweep);
        root.Subcommands.Add(export);
        root.Subcommands.Add(schema);
        return root;
    }

    /// <returns>The verb's exit code; 2 for a command line that does not parse (the README's "bad input").</returns>
    public static async Task<int> InvokeAsync(string[] args)
    {
        var parse = Create(["genlab", .. args]).Parse(args);
        if (parse.Errors.Count > 0) return CliErrors.Report(parse, args);
        try
        {
            // The host owns Ctrl-C (graceful stop, then a hard stop on the second): System.CommandLine must not.
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) { return CliErrors.Report(e); }
    }
}
