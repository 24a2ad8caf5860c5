namespace GenLab.Models.Language;

/// <summary>One instruction-tuning pair: an optional system prompt, the user's question and the expected response
/// (OpenOrca's <c>system_prompt</c>, <c>question</c>, <c>response</c>).</summary>
public sealed record QaExample(string? System, string Question, string Response);
