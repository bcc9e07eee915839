using System.Text;

namespace TransferNotebooks.Data;

/// <summary>One review of an IMDB split.</summary>
/// <param name="Id">The review's number in its folder (from the file name <c>&lt;id&gt;_&lt;rating&gt;.txt</c>).</param>
/// <param name="Rating">The reviewer's rating, 1-10 (negative reviews are 1-4, positive 7-10).</param>
/// <param name="Label">0 negative, 1 positive.</param>
/// <param name="Sequence">The word indices (after startChar, indexFrom, numWords and skipTop were applied).</param>
public sealed record ImdbReview(int Id, int Rating, long Label, int[] Sequence);

/// <summary>One IMDB split (train or test) as Keras returns it: word-index sequences and 0/1 labels, plus the 1-10 ratings.</summary>
public sealed class ImdbSplit
{
    internal ImdbSplit(int[][] sequences, long[] labels, int[] ratings, int[] ids, int dimension)
    {
        Sequences = sequences;
        Labels = labels;
        Ratings = ratings;
        Ids = ids;
        Dimension = dimension;
    }

    /// <summary>Word-index sequences, one per review (Keras's <c>x_train</c>).</summary>
    public IReadOnlyList<int[]> Sequences { get; }

    /// <summary>0 negative, 1 positive (Keras's <c>y_train</c>).</summary>
    public long[] Labels { get; }

    /// <summary>The reviewers' 1-10 ratings, from the file names.</summary>
    public int[] Ratings { get; }

    /// <summary>The reviews' ids within their folders.</summary>
    public int[] Ids { get; }

    /// <summary>Number of reviews.</summary>
    public int Count => Labels.Length;

    /// <summary>One past the largest index any sequence may hold (the <c>numWords</c> in effect): the multi-hot width.</summary>
    public int Dimension { get; }

    /// <summary>The whole load this split belongs to: the other split, the word index (<see cref="ImdbData.WordIndex"/>), <see cref="ImdbData.Encode"/> and <see cref="ImdbData.Source"/>.</summary>
    public ImdbData Data { get; internal set; } = null!;

    /// <summary>Text of a sequence (see <see cref="ImdbData.Decode"/>): <c>train.Decode(train.Sequences[0])</c>.</summary>
    public string Decode(IEnumerable<int> sequence) => Data.Decode(sequence);

    /// <summary>Review <paramref name="index"/> with its id, rating, label and sequence.</summary>
    public ImdbReview this[int index] => new(Ids[index], Ratings[index], Labels[index], Sequences[index]);

    /// <summary>
    /// Multi-hot features <c>[N, dimension]</c> (default <see cref="Dimension"/>) with int64 labels: the input of a dense model.
    /// Float32 by default; <c>dtype: ScalarType.Byte</c> stores the same 0/1 values in a quarter of the memory and trains identically.
    /// </summary>
    public Dataset Vectorize(int? dimension = null, TorchSharp.torch.ScalarType dtype = TorchSharp.torch.ScalarType.Float32) =>
        new(TransferNotebooks.Data.Sequences.Vectorize(Sequences, dimension ?? Dimension, dtype), TorchSharp.torch.tensor(Labels));

    /// <summary>Padded int64 sequences <c>[N, maxLen]</c> (Keras <c>pad_sequences</c> defaults: pre-padding, pre-truncation) with int64 labels: the input of an Embedding model.</summary>
    public Dataset PadSequences(int? maxLen = null, PadSide padding = PadSide.Pre, PadSide truncating = PadSide.Pre, long value = 0) =>
        new(TransferNotebooks.Data.Sequences.PadSequences(Sequences, maxLen, padding, truncating, value), TorchSharp.torch.tensor(Labels));

    /// <inheritdoc />
    public override string ToString() => $"ImdbSplit: {Count} reviews ({Labels.Count(l => l == 1)} positive), indices below {Dimension}";
}

/// <summary>
/// The IMDB reviews as Keras's <c>imdb.load_data</c> returns them, with the word index and helpers to decode and encode:
/// <c>var imdb = Imdb.LoadData(numWords: 10000);</c> (<see cref="Imdb.Load"/> returns the two splits as a tuple, each reaching this through <see cref="ImdbSplit.Data"/>).
/// </summary>
public sealed class ImdbData
{
    readonly Lazy<string[]> lazyWords;
    readonly int wordCount;
    string[] words => lazyWords.Value;
    Dictionary<string, int>? wordIndex;

    internal ImdbData(ImdbSplit train, ImdbSplit test, Lazy<string[]> words, int wordCount, int numWords, int skipTop, int? startChar, int? oovChar, int indexFrom, string source)
    {
        Train = train;
        Test = test;
        train.Data = this;
        test.Data = this;
        lazyWords = words;
        this.wordCount = wordCount;
        NumWords = numWords;
        SkipTop = skipTop;
        StartChar = startChar;
        OovChar = oovChar;
        IndexFrom = indexFrom;
        Source = source;
    }

    /// <summary>The 25,000 training reviews (shuffled with the seed).</summary>
    public ImdbSplit Train { get; }

    /// <summary>The 25,000 test reviews (shuffled with the seed).</summary>
    public ImdbSplit Test { get; }

    /// <summary>Indices are below this (the <c>numWords</c> argument, or one more than the largest index when it was null).</summary>
    public int NumWords { get; }

    /// <summary>The most frequent words that were replaced by <see cref="OovChar"/> (Keras's <c>skip_top</c>).</summary>
    public int SkipTop { get; }

    /// <summary>The index that starts every sequence (default 1), or null.</summary>
    public int? StartChar { get; }

    /// <summary>The index of out-of-vocabulary words (default 2), or null when they were dropped.</summary>
    public int? OovChar { get; }

    /// <summary>Added to every word rank (default 3): index = rank + IndexFrom.</summary>
    public int IndexFrom { get; }

    /// <summary>Where the data came from: the archive, whether it was verified, and the token cache used.</summary>
    public string Source { get; }

    /// <summary>Word to rank (1 = most frequent on the training reviews), as Keras's <c>imdb.get_word_index()</c>; a sequence holds rank + <see cref="IndexFrom"/>.</summary>
    public IReadOnlyDictionary<string, int> WordIndex => wordIndex ??= words.Select((w, i) => (w, i)).ToDictionary(t => t.w, t => t.i + 1);

    /// <summary>The word for a sequence index, or null for padding, start, out-of-vocabulary and unknown indices.</summary>
    public string? Word(int index)
    {
        int rank = index - IndexFrom;
        if (index == 0 || index == StartChar || index == OovChar || rank < 1 || rank > wordCount) return null;
        return words[rank - 1];
    }

    /// <summary>Text of a sequence: words separated by spaces, <c>?</c> for out-of-vocabulary indices; padding and the start index are left out.</summary>
    public string Decode(IEnumerable<int> sequence)
    {
        var sb = new StringBuilder();
        foreach (var i in sequence)
        {
            if (i == 0 || i == StartChar) continue;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(Word(i) ?? "?");
        }
        return sb.ToString();
    }

    /// <summary>Encodes new text the way the loaded reviews were encoded (start index, rank + indexFrom, numWords and skipTop limits).</summary>
    public int[] Encode(string text)
    {
        var result = new List<int>();
        if (StartChar is int s) result.Add(Limit(s));
        foreach (var token in ImdbCorpus.Tokenize(text))
        {
            int index = WordIndex.TryGetValue(token, out var rank) ? rank + IndexFrom : int.MaxValue;
            if (index >= SkipTop && index < NumWords) result.Add(index);
            else if (OovChar is int o) result.Add(o);
        }
        return result.ToArray();

        int Limit(int i) => i >= SkipTop && i < NumWords ? i : OovChar ?? i;
    }

    /// <summary>Lets C# write <c>var (train, test) = Imdb.LoadData();</c> (F# destructures <see cref="Imdb.Load"/>'s tuple instead).</summary>
    public void Deconstruct(out ImdbSplit train, out ImdbSplit test)
    {
        train = Train;
        test = Test;
    }

    /// <inheritdoc />
    public override string ToString() => $"IMDB: {Train.Count} train, {Test.Count} test reviews, {wordCount} words, indices below {NumWords}. {Source}";
}
