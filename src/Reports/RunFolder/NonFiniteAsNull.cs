using System.Text.Json;
using System.Text.Json.Serialization;

namespace GenLab.Reports.RunFolder;

/// <summary>JSON has no NaN or ±Infinity, and System.Text.Json refuses to write them: a metric that went non-finite
/// would make run.json (or a results file) unwritable at the moment it matters most. Such values are written as
/// <c>null</c> and read back as NaN, so every file stays valid JSON whatever the numbers did.</summary>
public sealed class NonFiniteAsNull : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}

/// <summary>The <see cref="NonFiniteAsNull"/> rule for <c>float</c>.</summary>
public sealed class NonFiniteSingleAsNull : JsonConverter<float>
{
    public override bool HandleNull => true;

    public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? float.NaN : reader.GetSingle();

    public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
    {
        if (float.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}
