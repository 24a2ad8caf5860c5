using System.Collections;
using System.Globalization;
using System.Reflection;
using GenLab.Models.Configuration;
using GenLab.Runner.Data;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GenLab.Runner.Config;

/// <summary>Writes a bound config back to YAML with every property, defaults included, so a run folder records
/// exactly what ran. The output loads back to an equal config (on the same machine, for files named by URL).</summary>
internal static class ConfigYamlWriter
{
    /// <param name="named">Files named by URL and SHA-256: a file path bound to one of theirs is written as the
    /// <c>{ file, url, sha256 }</c> it was named by.</param>
    public static string Write(object config, IReadOnlyList<LocatedData>? named = null)
    {
        var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        var sources = (named ?? []).DistinctBy(n => n.Path).ToDictionary(n => n.Path, n => n.Source, StringComparer.Ordinal);
        WriteValue(emitter, sources, config, filePath: false);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void WriteValue(IEmitter emitter, Dictionary<string, DataSource> sources, object? value, bool filePath)
    {
        switch (value)
        {
            case null: Plain(emitter, "null"); break;
            case string s when filePath && sources.TryGetValue(s, out var source): WriteRecord(emitter, sources, source); break;
            case string s when filePath: Text(emitter, RelativeToWorkingDirectory(s)); break;
            case string s: Text(emitter, s); break;
            case bool b: Plain(emitter, b ? "true" : "false"); break;
            case double d: Plain(emitter, FormatFloat(d, d.ToString("R", CultureInfo.InvariantCulture))); break;
            case float f: Plain(emitter, FormatFloat(f, f.ToString("R", CultureInfo.InvariantCulture))); break;
            case int or long: Plain(emitter, Convert.ToString(value, CultureInfo.InvariantCulture)!); break;
            case Enum e: Plain(emitter, ConfigNames.EnumSpelling(e.GetType(), e)); break;
            case IDictionary dict:
                emitter.Emit(new MappingStart());
                foreach (DictionaryEntry entry in dict)
                {
                    Text(emitter, (string)entry.Key);
                    WriteValue(emitter, sources, entry.Value, filePath);
                }
                emitter.Emit(new MappingEnd());
                break;
            case IEnumerable items:
                emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
                foreach (var item in items) WriteValue(emitter, sources, item, filePath);
                emitter.Emit(new SequenceEnd());
                break;
            default: WriteRecord(emitter, sources, value); break;
        }
    }

    private static void WriteRecord(IEmitter emitter, Dictionary<string, DataSource> sources, object record)
    {
        emitter.Emit(new MappingStart());
        foreach (var property in record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0) continue;
            Plain(emitter, ConfigNames.SnakeCase(property.Name));
            WriteValue(emitter, sources, property.GetValue(record), property.IsDefined(typeof(FilePathAttribute)));
        }
        emitter.Emit(new MappingEnd());
    }

    private static string FormatFloat(double value, string roundTrip) =>
        double.IsPositiveInfinity(value) ? ".inf"
        : double.IsNegativeInfinity(value) ? "-.inf"
        : double.IsNaN(value) ? ".nan"
        : roundTrip;

    private static void Plain(IEmitter emitter, string text) =>
        emitter.Emit(new Scalar(null, null, text, ScalarStyle.Plain, true, false));

    /// <summary>Quotes strings that a YAML reader would take for null, a bool or a number.</summary>
    private static void Text(IEmitter emitter, string text)
    {
        var ambiguous = text is "" or "~" || text.Equals("null", StringComparison.OrdinalIgnoreCase)
            || text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase)
            || (text.Any(char.IsAsciiDigit) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            || text.StartsWith(".inf", StringComparison.OrdinalIgnoreCase) || text.StartsWith("-.inf", StringComparison.OrdinalIgnoreCase)
            || text.Equals(".nan", StringComparison.OrdinalIgnoreCase);
        emitter.Emit(new Scalar(null, null, text, ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Plain, true, true));
    }

    private static string RelativeToWorkingDirectory(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }
}
