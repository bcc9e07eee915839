namespace TransferNotebooks.Kernel.Languages;

/// <summary>Language-neutral helpers for is_complete and completion: bracket/string balance and the word at the cursor.</summary>
public static class CodeCompleteness
{
    /// <summary>
    /// F# is_complete: incomplete while brackets or strings are open or the last line ends with a continuation token
    /// (<c>=</c>, <c>-&gt;</c>, <c>|&gt;</c>, ...); invalid when a closing bracket has no opener.
    /// </summary>
    public static (string Status, string Indent) FSharp(string code)
    {
        var balance = Balance(code, fsharp: true);
        if (balance < 0) return ("invalid", "");
        if (balance > 0) return ("incomplete", "    ");
        var last = code.TrimEnd().Split('\n')[^1].TrimEnd();
        if (last.Length == 0) return ("complete", "");
        string[] continuations = ["=", "->", "|>", "<|", ">>", "(", "[", "{", "then", "else", "do", "in", "with", "function", "try", "lazy", "fun"];
        if (continuations.Any(c => last.EndsWith(c, StringComparison.Ordinal) && (c.Length > 1 || !last.EndsWith("==", StringComparison.Ordinal))))
            return ("incomplete", LeadingWhitespace(last) + "    ");
        return ("complete", "");
    }

    /// <summary>
    /// Open minus close brackets outside strings and comments (negative when a closer has no opener;
    /// an unterminated string or block comment counts as open).
    /// </summary>
    public static int Balance(string code, bool fsharp)
    {
        int depth = 0, i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '/' && i + 1 < code.Length && code[i + 1] == '/') { while (i < code.Length && code[i] != '\n') i++; continue; }
            if (fsharp && c == '(' && i + 1 < code.Length && code[i + 1] == '*' && !(i + 2 < code.Length && code[i + 2] == ')'))
            {
                var end = code.IndexOf("*)", i + 2, StringComparison.Ordinal);
                if (end < 0) return depth + 1;
                i = end + 2; continue;
            }
            if (!fsharp && c == '/' && i + 1 < code.Length && code[i + 1] == '*')
            {
                var end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) return depth + 1;
                i = end + 2; continue;
            }
            if (c == '"')
            {
                var triple = i + 2 < code.Length && code[i + 1] == '"' && code[i + 2] == '"';
                if (triple)
                {
                    var end = code.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) return depth + 1;
                    i = end + 3; continue;
                }
                var verbatim = i > 0 && code[i - 1] == '@';
                i++;
                while (i < code.Length && code[i] != '"')
                {
                    if (code[i] == '\\' && !verbatim) i++;
                    i++;
                }
                if (i >= code.Length) return depth + 1;
                i++; continue;
            }
            if (c == '\'' && i + 2 < code.Length && (code[i + 2] == '\'' || (code[i + 1] == '\\' && i + 3 < code.Length && code[i + 3] == '\'')))
            {
                i += code[i + 1] == '\\' ? 4 : 3; continue;
            }
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}')
            {
                depth--;
                if (depth < 0) return depth;
            }
            i++;
        }
        return depth;
    }

    /// <summary>The identifier being typed at <paramref name="cursor"/>: its start, the partial name, and a dotted qualifier before it.</summary>
    public static (int Start, string Prefix, string Qualifier) WordBefore(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var start = cursor;
        while (start > 0 && IsIdent(code[start - 1])) start--;
        var prefix = code[start..cursor];
        var q = start;
        if (q > 0 && code[q - 1] == '.')
        {
            var qs = q - 1;
            while (qs > 0 && (IsIdent(code[qs - 1]) || code[qs - 1] == '.')) qs--;
            return (start, prefix, code[qs..(q - 1)]);
        }
        return (start, prefix, "");
    }

    static bool IsIdent(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '\'';

    static string LeadingWhitespace(string line) => line[..(line.Length - line.TrimStart().Length)];
}
