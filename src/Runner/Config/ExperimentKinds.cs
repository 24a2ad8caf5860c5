using GenLab.Models.Mlp;

namespace GenLab.Runner.Config;

/// <summary>The record types that the <c>data</c> and <c>model</c> sections bind to, per experiment kind.</summary>
public static class ExperimentKinds
{
    public static (Type Data, Type Model) SectionTypes(ExperimentKind kind) => kind switch
    {
        ExperimentKind.MlpChar => (typeof(CharCorpusConfig), typeof(MlpCharConfig)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no section types registered"),
    };
}
