using GenLab.Reports.RunFolder;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using GenLab.Runner.Training;

namespace GenLab.Runner.Tests.Training;

/// <summary>Checkpoints written by the store itself (no torch): what Scan / NewestValid / Verify accept and refuse.</summary>
public sealed class CheckpointStoreTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CheckpointStore _store;

    public CheckpointStoreTests() => _store = new CheckpointStore(Path.Combine(_dir.Root, "checkpoints"));

    public void Dispose() => _dir.Dispose();

    private Checkpoint Write(long step) =>
        _store.Write(new TrainingState { Step = step, ValLoss = 10 - step / 10.0 },
            dir => File.WriteAllBytes(Path.Combine(dir, "model.bin"), Enumerable.Range(0, 64).Select(i => (byte)(i + step)).ToArray()));

    [Fact]
    public void Write_LeavesOnlyTheFinalFolderWithAManifest()
    {
        var checkpoint = Write(10);

        Assert.Equal(Path.Combine(_store.Directory, "step-000010"), checkpoint.Path);
        Assert.Equal(["step-000010"], Directory.GetDirectories(_store.Directory).Select(Path.GetFileName));
        Assert.True(File.Exists(checkpoint.File(CheckpointStore.ManifestFile)));
        Assert.Equal(10, _store.NewestValid()?.Step);
    }

    [Fact]
    public void NewestValid_IgnoresLeftoverTempFolder_EvenWithAManifest()
    {
        Write(20);
        var leftover = Directory.CreateDirectory(Path.Combine(_store.Directory, ".tmp-step-000030-xyz")).FullName;
        File.Copy(Path.Combine(_store.Directory, "step-000020", CheckpointStore.ManifestFile),
            Path.Combine(leftover, CheckpointStore.ManifestFile));

        Assert.Equal([Path.Combine(_store.Directory, "step-000020")], _store.Scan().Select(s => s.Path));
        Assert.Equal(20, _store.NewestValid()?.Step);
    }

    [Fact]
    public void NewestValid_WhenNewestModelIsTampered_FallsBackToPreviousAndWarns()
    {
        Write(10);
        var newest = Write(20);
        ResumeTests.FlipOneByte(newest.File("model.bin"));
        var warnings = new List<string>();

        var (checkpoint, problem) = CheckpointStore.Verify(newest.Path, 20);
        var fallback = _store.NewestValid(warnings.Add);

        Assert.Null(checkpoint);
        Assert.Equal("model.bin does not match its SHA-256 in the manifest (corrupt or modified)", problem);
        Assert.Equal(10, fallback?.Step);
        Assert.Equal($"skipping checkpoint {newest.Path}: {problem}", Assert.Single(warnings));
    }

    [Fact]
    public void NewestValid_SkipsAFolderWithoutManifest()
    {
        Write(10);
        var newest = Write(20);
        File.Delete(newest.File(CheckpointStore.ManifestFile));
        var warnings = new List<string>();

        Assert.Equal(10, _store.NewestValid(warnings.Add)?.Step);
        Assert.Contains("no manifest.json", Assert.Single(warnings));
    }

    [Fact]
    public void Verify_WhenFolderNameAndManifestStepDisagree_Refuses()
    {
        var checkpoint = Write(10);
        string renamed = Path.Combine(_store.Directory, "step-000011");
        Directory.Move(checkpoint.Path, renamed);

        var (found, problem) = CheckpointStore.Verify(renamed, 11);

        Assert.Null(found);
        Assert.Equal("manifest says step 10, folder says 11", problem);
    }

    [Fact]
    public void Write_SameStepTwice_KeepsOneValidFolderAndPruneClearsTheSetAsideOne()
    {
        Write(10);
        Write(10);

        Assert.Single(Directory.GetDirectories(_store.Directory, ".tmp-old-*"));
        _store.Prune(keepLast: 3, []);

        Assert.Equal(["step-000010"], Directory.GetDirectories(_store.Directory).Select(Path.GetFileName));
        Assert.Equal(10, _store.NewestValid()?.Step);
    }

    [Fact]
    public void Prune_KeepsNewestBestAndProtected()
    {
        foreach (long step in new long[] { 10, 20, 30, 40, 50 }) Write(step);
        // ValLoss falls with the step, so the best is the newest; protect the oldest.
        _store.Prune(keepLast: 2, [Path.Combine(_store.Directory, "step-000010")]);

        Assert.Equal([50, 40, 10], _store.Scan().Select(s => s.Checkpoint!.Step));
    }

    /// <summary>Rewrites a checkpoint's manifest.json with <paramref name="edit"/> applied to its file hashes.</summary>
    internal static void EditManifest(string checkpoint, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        string path = Path.Combine(checkpoint, CheckpointStore.ManifestFile);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest["sha256"]!.AsObject());
        File.WriteAllText(path, manifest.ToJsonString());
    }

    [Fact]
    public void NewestValid_WhenManifestNoLongerListsModelAndAnotherModelIsInItsPlace_FallsBack()
    {
        Write(10);
        var newest = Write(20);
        EditManifest(newest.Path, hashes => hashes.Remove("model.bin"));
        File.WriteAllBytes(newest.File("model.bin"), [1, 2, 3]);
        var warnings = new List<string>();

        Assert.Equal(10, _store.NewestValid(warnings.Add)?.Step);
        Assert.Equal($"skipping checkpoint {newest.Path}: model.bin is in the folder but not in manifest.json (added or replaced after the checkpoint was written)",
            Assert.Single(warnings));
    }

    [Theory]
    [InlineData("../model.bin")]
    [InlineData("/etc/hostname")]
    [InlineData("sub/model.bin")]
    [InlineData("..")]
    [InlineData("")]
    public void Verify_WhenAManifestKeyIsNotAPlainFileName_Refuses(string key)
    {
        var checkpoint = Write(10);
        File.WriteAllText(Path.Combine(_dir.Root, "outside.bin"), "x");
        EditManifest(checkpoint.Path, hashes => hashes[key] = CheckpointStore.Sha256Of(Path.Combine(_dir.Root, "outside.bin")));

        var (found, problem) = CheckpointStore.Verify(checkpoint.Path, 10);

        Assert.Null(found);
        Assert.Equal($"manifest.json lists '{key}', which is not a plain file name in the checkpoint folder", problem);
    }

    [Fact]
    public void Verify_WhenAFileIsAddedOrRemoved_Refuses()
    {
        var checkpoint = Write(10);
        File.WriteAllText(checkpoint.File("extra.bin"), "x");
        Assert.Equal("extra.bin is in the folder but not in manifest.json (added or replaced after the checkpoint was written)",
            CheckpointStore.Verify(checkpoint.Path, 10).Problem);

        File.Delete(checkpoint.File("extra.bin"));
        File.Delete(checkpoint.File("model.bin"));
        Assert.Equal("model.bin is missing", CheckpointStore.Verify(checkpoint.Path, 10).Problem);
    }

    [Fact]
    public void Verify_WhenAFileIsALinkOrAFolder_Refuses()
    {
        var checkpoint = Write(10);
        string model = checkpoint.File("model.bin");
        File.Move(model, Path.Combine(_dir.Root, "model.bin"));
        File.CreateSymbolicLink(model, Path.Combine(_dir.Root, "model.bin"));
        Assert.Equal("model.bin is a symbolic link; a checkpoint holds plain files only", CheckpointStore.Verify(checkpoint.Path, 10).Problem);

        File.Delete(model);
        File.Move(Path.Combine(_dir.Root, "model.bin"), model);
        Directory.CreateDirectory(checkpoint.File("nested"));
        Assert.Equal("nested is a folder; a checkpoint holds plain files only", CheckpointStore.Verify(checkpoint.Path, 10).Problem);
    }

    [Fact]
    public void Scan_WhenACheckpointFolderIsALink_CountsItInvalid()
    {
        var real = Write(10);
        string elsewhere = Path.Combine(_dir.Root, "elsewhere");
        Directory.Move(real.Path, elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(_store.Directory, "step-000010"), elsewhere);

        var (_, found, problem) = Assert.Single(_store.Scan());

        Assert.Null(found);
        Assert.Equal("the folder is a symbolic link, not a checkpoint written here", problem);
    }
}

/// <summary>A run whose newest checkpoint is corrupt resumes from the one before (end to end).</summary>
[Collection(TorchCollection.Name)]
public sealed class CorruptCheckpointResumeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public CorruptCheckpointResumeTests() => TinyExperiment.Write(_dir);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Resume_WhenNewestCheckpointWasLeftHalfWritten_UsesTheCompleteOne()
    {
        using var stop = new CancellationTokenSource();
        var (_, run) = TinyExperiment.Run(TinyExperiment.Load(_dir), Path.Combine(_dir.Root, "results"),
            stop.Token, HookLogger.CancelAfterEvaluation(30, stop));
        string checkpoints = Path.Combine(run, RunFiles.Checkpoints);
        // The interrupt rewrote step 30 right after its periodic checkpoint; the set-aside copy is pruned.
        Assert.Equal(["step-000010", "step-000020", "step-000030"], Directory.GetDirectories(checkpoints).Select(Path.GetFileName).Order());
        // A crash mid-write of step 40: only the hidden temp folder exists.
        Directory.CreateDirectory(Path.Combine(checkpoints, ".tmp-step-000040-dead"));
        File.WriteAllText(Path.Combine(checkpoints, ".tmp-step-000040-dead", "model.bin"), "half");

        Assert.Equal(0, TinyExperiment.Resume(run));

        Assert.Equal([Path.Combine(RunFiles.Checkpoints, "step-000030")], RunInfo.Read(run).ResumedFrom);
        Assert.Equal(RunStatus.Completed, RunInfo.Read(run).Status);
    }
}
