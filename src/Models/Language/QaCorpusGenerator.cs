using System.Globalization;
using System.Text;
using GenLab.Models.Data;

namespace GenLab.Models.Language;

/// <summary>The lab's own Portuguese data, generated from templates with a seeded generator: Q&amp;A pairs about the
/// course's concepts (tokens, BPE, embeddings, word2vec, autoencoders, VAE, transformers, attention, diffusion,
/// pre-training and fine-tuning…) and simple checkable facts (letters of a word, plurals, small arithmetic), plus
/// a plain-text corpus that states the same knowledge in the same words, for pre-training a small GPT before
/// fine-tuning it on the pairs. Every answer is written here by hand or computed, so it is correct by construction.
///
/// The committed files under <c>experiments/data/</c> (<c>qa-pt*.jsonl</c>, <c>textos-pt.txt</c>) are
/// <see cref="WriteFiles"/> with <see cref="DefaultSeed"/>; a test checks they are byte-for-byte what it writes.</summary>
public static class QaCorpusGenerator
{
    public const long DefaultSeed = 2024;
    public const int DefaultPairs = 400;
    public const int DefaultTextChars = 45_000;

    private sealed record Concept(string Indefinite, string Definite, string Definition, string Purpose, string Extra);

    private static readonly Concept[] Concepts =
    [
        new("um token", "o token",
            "Um token é um pedaço de texto, como uma palavra, parte de uma palavra ou um caractere, que o modelo trata como uma unidade e representa por um número inteiro.",
            "Os tokens servem para transformar texto em uma sequência de números que a rede neural consegue processar.",
            "Cada token tem um id, e o conjunto de todos os tokens possíveis é o vocabulário."),
        new("um tokenizador", "o tokenizador",
            "Um tokenizador é o programa que corta o texto em tokens e converte cada token em um id; ele também faz o caminho de volta, dos ids para o texto.",
            "O tokenizador serve para ligar o texto que lemos aos números que o modelo usa na entrada e na saída.",
            "Um tokenizador de caracteres tem um vocabulário pequeno, mas gera sequências longas."),
        new("o BPE", "o BPE",
            "O BPE (byte pair encoding) é um algoritmo de tokenização que começa pelos bytes do texto e junta repetidamente o par vizinho mais frequente, criando um token novo a cada junção.",
            "O BPE serve para obter um vocabulário de tamanho fixo em que palavras comuns viram um só token e palavras raras são divididas em pedaços.",
            "O GPT-2 e o GPT-4 usam tokenizadores BPE sobre bytes."),
        new("um embedding", "o embedding",
            "Um embedding é um vetor de números reais que representa um token, uma palavra ou uma imagem, aprendido de forma que itens parecidos fiquem próximos no espaço.",
            "Os embeddings servem para que a rede trabalhe com vetores densos em vez de ids, e para medir a semelhança entre itens pela distância ou pelo cosseno.",
            "Em um transformer, a primeira camada é uma tabela de embeddings com uma linha por token do vocabulário."),
        new("o word2vec", "o word2vec",
            "O word2vec é um método que aprende embeddings de palavras treinando uma rede rasa para prever as palavras vizinhas de cada palavra em um texto.",
            "O word2vec serve para obter vetores de palavras em que palavras usadas em contextos parecidos ficam próximas.",
            "O word2vec foi proposto por Tomas Mikolov e colegas, no Google, em 2013."),
        new("um autoencoder", "o autoencoder",
            "Um autoencoder é uma rede com um codificador, que comprime a entrada em um vetor pequeno chamado código latente, e um decodificador, que reconstrói a entrada a partir desse código.",
            "O autoencoder serve para aprender representações compactas dos dados sem rótulos, treinando a rede para reconstruir a própria entrada.",
            "A perda de um autoencoder mede a diferença entre a entrada e a reconstrução."),
        new("um VAE", "o VAE",
            "Um VAE (autoencoder variacional) é um autoencoder em que o codificador produz uma distribuição no espaço latente, e não um único ponto; amostrando desse espaço, o decodificador gera exemplos novos.",
            "O VAE serve para gerar dados novos: basta sortear um ponto do espaço latente e passá-lo pelo decodificador.",
            "O VAE foi proposto por Diederik Kingma e Max Welling em 2013."),
        new("um transformer", "o transformer",
            "Um transformer é uma arquitetura de rede neural formada por blocos que alternam atenção e uma pequena rede feed-forward, com conexões residuais e normalização.",
            "O transformer serve para processar sequências inteiras em paralelo, e é a arquitetura dos modelos de linguagem como o GPT.",
            "O transformer foi proposto em 2017, no artigo Attention Is All You Need, de Vaswani e colegas."),
        new("a atenção", "a atenção",
            "A atenção é a operação em que cada token calcula, a partir de consultas e chaves, pesos sobre os outros tokens e soma os valores deles com esses pesos.",
            "A atenção serve para que cada posição da sequência junte informação das outras posições, dando mais peso às que são relevantes.",
            "Na atenção com várias cabeças, cada cabeça aprende a olhar para um tipo diferente de relação."),
        new("a máscara causal", "a máscara causal",
            "A máscara causal é o que impede cada posição de olhar para as posições seguintes, de modo que o modelo só usa o passado para prever o próximo token.",
            "A máscara causal serve para que o modelo possa ser treinado em todas as posições de uma vez sem ver a resposta.",
            "Sem a máscara causal, prever o próximo token seria trivial, porque ele estaria visível."),
        new("um modelo de linguagem", "o modelo de linguagem",
            "Um modelo de linguagem é um modelo que atribui probabilidades a sequências de tokens; na prática, ele prevê a distribuição do próximo token dado o contexto.",
            "O modelo de linguagem serve para gerar texto: ele sorteia um token, acrescenta ao contexto e repete.",
            "O GPT é um modelo de linguagem baseado no transformer."),
        new("o pré-treinamento", "o pré-treinamento",
            "O pré-treinamento é a primeira fase do treino de um modelo de linguagem, em que ele aprende a prever o próximo token em uma grande quantidade de texto sem rótulos.",
            "O pré-treinamento serve para que o modelo aprenda a língua e muitos fatos antes de ser especializado em uma tarefa.",
            "Depois do pré-treinamento, o modelo sabe continuar textos, mas ainda não sabe responder perguntas como um assistente."),
        new("o ajuste fino", "o ajuste fino",
            "O ajuste fino é a fase em que um modelo já pré-treinado continua a ser treinado em um conjunto menor e específico, como pares de pergunta e resposta.",
            "O ajuste fino serve para transformar um modelo que só continua textos em um assistente que segue instruções.",
            "No ajuste fino com perguntas e respostas, a perda é calculada só nos tokens da resposta."),
        new("um modelo de difusão", "o modelo de difusão",
            "Um modelo de difusão é um modelo generativo que aprende a remover ruído: no treino, ruído gaussiano é adicionado aos dados passo a passo, e a rede aprende a prever esse ruído.",
            "O modelo de difusão serve para gerar imagens: ele parte de ruído puro e remove um pouco de ruído a cada passo até chegar a uma imagem.",
            "O DDPM, de Jonathan Ho e colegas, foi publicado em 2020."),
        new("a temperatura", "a temperatura",
            "A temperatura é o número que divide os logits antes do softmax na hora de amostrar.",
            "A temperatura serve para controlar a variedade do texto gerado: valores baixos deixam o texto mais previsível e valores altos, mais variado.",
            "Com temperatura perto de zero, o modelo escolhe quase sempre o token mais provável."),
        new("o softmax", "o softmax",
            "O softmax é a função que transforma um vetor de números reais em probabilidades positivas que somam um.",
            "O softmax serve para converter os logits da última camada em uma distribuição de probabilidade sobre o vocabulário.",
            "O softmax também aparece dentro da atenção, para normalizar os pesos."),
        new("a janela de contexto", "a janela de contexto",
            "A janela de contexto é o número máximo de tokens que o modelo enxerga de uma vez; no código ela se chama block_size.",
            "A janela de contexto serve para limitar o custo da atenção, que cresce com o quadrado do número de tokens.",
            "Um token que ficou fora da janela de contexto não influencia a próxima previsão."),
        new("a entropia cruzada", "a entropia cruzada",
            "A entropia cruzada é a função de perda usada para treinar modelos de linguagem: ela mede o quanto o modelo se surpreende com o token correto.",
            "A entropia cruzada serve para ensinar o modelo a dar probabilidade alta ao próximo token verdadeiro.",
            "Quanto maior a probabilidade dada ao token correto, menor a entropia cruzada."),
    ];

    private static readonly string[] DefinitionQuestions =
        ["O que é {0}?", "Explique o que é {0}.", "Defina {0}.", "Em poucas palavras, o que é {0}?"];

    /// <summary>{0} is the concept with its definite article, {1} the same after "de" ("do token", "da atenção").</summary>
    private static readonly string[] PurposeQuestions = ["Para que serve {0}?", "Qual é a função {1}?"];

    private static readonly (string Question, string Answer)[] Comparisons =
    [
        ("Qual é a diferença entre pré-treinamento e ajuste fino?",
            "No pré-treinamento, o modelo aprende a prever o próximo token em muito texto sem rótulos; no ajuste fino, ele continua o treino em um conjunto menor de exemplos, como pares de pergunta e resposta."),
        ("Qual é a diferença entre um autoencoder e um VAE?",
            "Um autoencoder leva cada entrada a um único ponto do espaço latente; um VAE leva cada entrada a uma distribuição, o que permite sortear pontos e gerar exemplos novos."),
        ("Qual é a diferença entre um token e um embedding?",
            "Um token é um pedaço de texto representado por um id inteiro; um embedding é o vetor de números reais que o modelo associa a esse id."),
        ("Qual é a diferença entre o word2vec e um transformer?",
            "O word2vec aprende um vetor fixo por palavra com uma rede rasa; um transformer calcula, com atenção, um vetor para cada token que depende do contexto."),
    ];

    private static readonly (string Question, string Answer)[] Facts =
    [
        ("Quem propôs o word2vec?", "O word2vec foi proposto por Tomas Mikolov e colegas, no Google, em 2013."),
        ("Em que ano foi proposto o transformer?", "O transformer foi proposto em 2017, no artigo Attention Is All You Need, de Vaswani e colegas."),
        ("Quem propôs o VAE?", "O VAE foi proposto por Diederik Kingma e Max Welling em 2013."),
        ("Quais tokenizadores o GPT-2 e o GPT-4 usam?", "O GPT-2 e o GPT-4 usam tokenizadores BPE sobre bytes."),
        ("Quem publicou o DDPM?", "O DDPM, de Jonathan Ho e colegas, foi publicado em 2020."),
        ("Como se chama a janela de contexto no código?", "No código, a janela de contexto se chama block_size."),
    ];

    /// <summary>Singular → plural, checked by hand (regular, -ão in its three forms, -l, -z, -r, invariant).</summary>
    private static readonly (string Singular, string Plural)[] Plurals =
    [
        ("token", "tokens"), ("modelo", "modelos"), ("camada", "camadas"), ("rede", "redes"), ("vetor", "vetores"),
        ("codificador", "codificadores"), ("imagem", "imagens"), ("função", "funções"), ("dimensão", "dimensões"),
        ("papel", "papéis"), ("neurônio", "neurônios"), ("parâmetro", "parâmetros"), ("matriz", "matrizes"),
        ("ruído", "ruídos"), ("texto", "textos"), ("palavra", "palavras"), ("lápis", "lápis"), ("animal", "animais"),
        ("pão", "pães"), ("mão", "mãos"), ("cão", "cães"), ("nível", "níveis"), ("gradiente", "gradientes"),
        ("letra", "letras"), ("mês", "meses"), ("país", "países"), ("flor", "flores"), ("luz", "luzes"),
        ("difusão", "difusões"), ("pergunta", "perguntas"), ("resposta", "respostas"), ("cabeça", "cabeças"),
    ];

    private static readonly string[] Words =
    [
        "token", "modelo", "atenção", "vetor", "texto", "rede", "difusão", "ruído", "camada", "imagem", "palavra",
        "contexto", "embedding", "resposta", "pergunta", "gato", "casa", "sol", "livro", "computador", "dado",
        "cabeça", "letra", "número", "função", "treino", "perda", "código", "mar", "escola", "amostra", "vocabulário",
        "probabilidade", "ruidoso", "bloco", "janela", "lua", "água", "árvore", "cadeira", "janeiro", "professor",
        "aluno", "caderno", "tabela", "banana", "cidade", "ônibus", "pássaro", "coração", "sequência", "peso",
        "média", "soma", "vírgula", "frase",
    ];

    private static readonly string[] SystemPrompts =
    [
        "Você é um assistente que responde em português, de forma curta e correta.",
        "Você é o monitor da disciplina de IA generativa. Responda de forma curta.",
        "Responda à pergunta do aluno com clareza.",
    ];

    /// <summary><paramref name="count"/> Q&amp;A pairs with distinct questions, in a random order fixed by
    /// <paramref name="seed"/>, drawn 40% concept questions, 10% comparisons and dated facts, 50% simple facts (length,
    /// first letter, spelling, plurals, arithmetic); a repeated question is drawn again, and the concept pool (about
    /// 150 distinct questions) runs out first, so 400 pairs hold about 30% concept questions. About half carry a
    /// system prompt.</summary>
    public static IReadOnlyList<QaExample> Generate(int count, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = SplitMix64.ForPurpose(seed, "qa");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var examples = new List<QaExample>(count);
        for (int attempt = 0; examples.Count < count; attempt++)
        {
            if (attempt > 100 * (count + 10))
                throw new InvalidOperationException($"could not generate {count} distinct questions (got {examples.Count})");
            var (question, answer) = Pair(rng);
            if (!seen.Add(question)) continue;
            string? system = rng.NextDouble() < 0.5 ? Pick(rng, SystemPrompts) : null;
            examples.Add(new QaExample(system, question, answer));
        }
        return examples;
    }

    private static (string Question, string Answer) Pair(SplitMix64 rng)
    {
        double kind = rng.NextDouble();
        if (kind < 0.4)
        {
            var concept = Pick(rng, Concepts);
            return rng.NextInt64(4) switch
            {
                0 or 1 => (Format(Pick(rng, DefinitionQuestions), concept.Indefinite), concept.Definition),
                2 => (Format(Pick(rng, PurposeQuestions), concept.Definite, Of(concept.Definite)), concept.Purpose),
                _ => rng.NextDouble() < 0.5
                    ? ($"Fale sobre {concept.Definite}.", concept.Definition + " " + concept.Purpose)
                    : ($"Cite um fato sobre {concept.Definite}.", concept.Extra),
            };
        }
        if (kind < 0.5) return rng.NextDouble() < 0.5 ? Pick(rng, Comparisons) : Pick(rng, Facts);
        return SimpleFact(rng, (int)rng.NextInt64(6));
    }

    /// <summary>A checkable fact as (question, answer); the pre-training text states the same facts as the answers.</summary>
    private static (string Question, string Answer) SimpleFact(SplitMix64 rng, int kind)
    {
        string word = Pick(rng, Words);
        switch (kind)
        {
            case 0:
                return ($"Quantos caracteres tem a palavra {word}?", LengthSentence(word));
            case 1:
                return ($"Qual é a primeira letra da palavra {word}?", $"A primeira letra da palavra {word} é {word[..1]}.");
            case 2:
                return ($"Soletre a palavra {word}.", SpellingSentence(word));
            case 3:
                var (singular, plural) = Pick(rng, Plurals);
                return ($"Qual é o plural de {singular}?", $"O plural de {singular} é {plural}.");
            case 4:
            {
                int a = (int)rng.NextInt64(21), b = (int)rng.NextInt64(21);
                return rng.NextDouble() < 0.5
                    ? ($"Quanto é {a} + {b}?", $"{a} + {b} = {a + b}.")
                    : ($"Quanto é {Math.Max(a, b)} - {Math.Min(a, b)}?", $"{Math.Max(a, b)} - {Math.Min(a, b)} = {Math.Max(a, b) - Math.Min(a, b)}.");
            }
            default:
            {
                int a = (int)rng.NextInt64(11), b = (int)rng.NextInt64(11);
                return ($"Quanto é {a} × {b}?", $"{a} × {b} = {a * b}.");
            }
        }
    }

    private static string LengthSentence(string word)
    {
        int length = new StringInfo(word).LengthInTextElements;
        return $"A palavra {word} tem {length} {(length == 1 ? "caractere" : "caracteres")}.";
    }

    private static string SpellingSentence(string word) =>
        $"A palavra {word} se soletra {string.Join('-', word.EnumerateRunes())}.";

    /// <summary>Plain Portuguese text of at least <paramref name="minChars"/> characters, paragraph after paragraph,
    /// stating the concepts and facts of <see cref="Generate"/> in the same words (so the Q&amp;A answers are
    /// sentences the pre-trained model has already seen) under varied framings. No paragraph is written twice (a
    /// repeat is drawn again), so a validation set of whole paragraphs is text the model never trained on; and no
    /// paragraph holds a question of <see cref="Generate"/>, so no held-out question is pre-training text.</summary>
    public static string GenerateText(int minChars, long seed)
    {
        var rng = SplitMix64.ForPurpose(seed, "text");
        // Decks, not independent picks: every concept and fact comes round before any comes round again.
        var concepts = new Deck<Concept>(Concepts, rng);
        var others = new Deck<(string, string)>([.. Comparisons, .. Facts], rng);
        var written = new HashSet<string>(StringComparer.Ordinal);
        var text = new StringBuilder();
        for (int attempt = 0; text.Length < minChars; attempt++)
        {
            if (attempt > 100 * (minChars / 100 + 10))
                throw new InvalidOperationException($"could not generate {minChars} characters of distinct paragraphs (got {text.Length})");
            string paragraph = Paragraph(rng, concepts, others);
            if (written.Add(paragraph)) text.Append(paragraph).Append("\n\n");
        }
        return text.ToString();
    }

    private static string Paragraph(SplitMix64 rng, Deck<Concept> concepts, Deck<(string, string)> others)
    {
        switch (rng.NextInt64(5))
        {
            case 0:
            case 1:
            {
                var c = concepts.Next();
                // Definition then purpose, as the answer to "Fale sobre …" has them; the extra fact before or after.
                string[] sentences = rng.NextDouble() < 0.5 ? [c.Definition, c.Purpose, c.Extra] : [c.Extra, c.Definition, c.Purpose];
                return Pick(rng, ["", "Vamos rever um conceito do curso. ", "Um conceito importante: ", "Nas aulas, vimos o seguinte. "])
                    + string.Join(' ', sentences);
            }
            case 2:
            {
                var c = concepts.Next();
                return $"Pergunta de revisão: o que é {c.Indefinite} e para que serve? Resposta: {c.Definition} {c.Purpose} {c.Extra}";
            }
            case 3:
            {
                // The answer alone: its question is a Q&A question, which may be held out for validation or test.
                var (_, answer) = others.Next();
                return Pick(rng, ["", "Um fato do curso: ", "Vale lembrar: "]) + answer;
            }
            default:
            {
                var facts = new List<string>();
                for (int i = 0; i < 4; i++) facts.Add(SimpleFact(rng, (int)rng.NextInt64(6)).Answer);
                return Pick(rng, ["Alguns fatos simples. ", "Exercícios resolvidos. ", ""]) + string.Join(' ', facts);
            }
        }
    }

    /// <summary>Writes the lab's data files to <paramref name="directory"/>: <c>qa-pt.jsonl</c> (all pairs), its
    /// 80/10/10 split <c>qa-pt.train.jsonl</c>, <c>qa-pt.val.jsonl</c>, <c>qa-pt.test.jsonl</c> (the generated order
    /// is already random, so the split takes consecutive slices; questions are distinct, so no test question is
    /// seen in training), and the pre-training text <c>textos-pt.txt</c>.</summary>
    public static void WriteFiles(string directory, long seed = DefaultSeed, int pairs = DefaultPairs, int textChars = DefaultTextChars)
    {
        Directory.CreateDirectory(directory);
        var all = Generate(pairs, seed);
        int trainCount = pairs * 8 / 10, valCount = pairs / 10;
        QaJsonl.Write(Path.Combine(directory, "qa-pt.jsonl"), all);
        QaJsonl.Write(Path.Combine(directory, "qa-pt.train.jsonl"), all.Take(trainCount));
        QaJsonl.Write(Path.Combine(directory, "qa-pt.val.jsonl"), all.Skip(trainCount).Take(valCount));
        QaJsonl.Write(Path.Combine(directory, "qa-pt.test.jsonl"), all.Skip(trainCount + valCount));
        File.WriteAllText(Path.Combine(directory, "textos-pt.txt"), GenerateText(textChars, seed), new UTF8Encoding(false));
    }

    /// <summary>Deals items in shuffled rounds.</summary>
    private sealed class Deck<T>(T[] items, SplitMix64 rng)
    {
        private readonly T[] _items = [.. items];
        private int _next = items.Length;

        public T Next()
        {
            if (_next == _items.Length) { rng.Shuffle(_items); _next = 0; }
            return _items[_next++];
        }
    }

    private static T Pick<T>(SplitMix64 rng, IReadOnlyList<T> items) => items[(int)rng.NextInt64(items.Count)];

    private static string Format(string template, string value, string? valueAfterDe = null) =>
        string.Format(CultureInfo.InvariantCulture, template, value, valueAfterDe);

    /// <summary>Portuguese "de" + definite article contracts: "o token" → "do token", "a atenção" → "da atenção".</summary>
    private static string Of(string definite) => "d" + definite;
}
