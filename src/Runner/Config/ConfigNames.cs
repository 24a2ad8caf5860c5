using System.Reflection;
using System.Runtime.Serialization;
using System.Text;

namespace GenLab.Runner.Config;

/// <summary>How C# names appear in YAML, and the "did you mean" search over them.</summary>
internal static class ConfigNames
{
    /// <summary><c>BatchSize</c> → <c>batch_size</c>, <c>Beta1</c> → <c>beta1</c>, <c>HTTPPort</c> → <c>http_port</c>.</summary>
    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0
                && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>The spelling written to YAML: <c>[EnumMember(Value)]</c> when present, else snake_case.</summary>
    public static string EnumSpelling(Type enumType, object value)
    {
        var name = Enum.GetName(enumType, value) ?? value.ToString()!;
        var member = enumType.GetField(name, BindingFlags.Public | BindingFlags.Static);
        return member?.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? SnakeCase(name);
    }

    /// <summary>Case and <c>_</c>/<c>-</c> do not distinguish enum values: <c>mlp_char</c>, <c>MlpChar</c>, <c>mlp-char</c>.</summary>
    public static string NormalizeEnum(string text) =>
        new(text.Where(c => c is not ('_' or '-')).Select(char.ToLowerInvariant).ToArray());

    /// <summary>The closest candidate when the typo is small relative to the word, else null.</summary>
    public static string? Suggest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (NormalizeEnum(candidate) == NormalizeEnum(typed)) return candidate;
            var d = EditDistance(typed.ToLowerInvariant(), candidate);
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        // One edit per three characters keeps "lrr" → "lr" but not "x" → "lr".
        var allowed = Math.Max(1, Math.Min(typed.Length, best?.Length ?? 0) / 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Edit distance counting a swap of neighbours as one edit (optimal string alignment), since
    /// <c>lable</c> for <c>label</c> is as common a typo as a missing letter.</summary>
    public static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
