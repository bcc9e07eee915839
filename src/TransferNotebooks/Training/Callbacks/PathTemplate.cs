using System.Globalization;
using System.Text;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// Python's <c>str.format</c> for path templates: <c>{name}</c> and <c>{name:spec}</c> with the format-spec mini-language
/// ([[fill]align][sign][#][0][width][,|_][.precision][type], types d f F e E g G %), and <c>{{</c>/<c>}}</c> for braces.
/// </summary>
public static class PathTemplate
{
    /// <summary>Fills <paramref name="template"/> with values looked up by name.</summary>
    /// <exception cref="FormatException">Unbalanced braces or an invalid spec.</exception>
    public static string Format(string template, Func<string, double> value)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '{')
            {
                if (i + 1 < template.Length && template[i + 1] == '{') { sb.Append('{'); i++; continue; }
                int close = template.IndexOf('}', i + 1);
                if (close < 0) throw new FormatException($"Unclosed '{{' in '{template}'.");
                var field = template[(i + 1)..close];
                int colon = field.IndexOf(':');
                var name = (colon < 0 ? field : field[..colon]).Trim();
                if (name.Length == 0) throw new FormatException($"Empty field '{{}}' in '{template}': name a value, for example {{epoch:02d}}.");
                sb.Append(FormatValue(value(name), colon < 0 ? "" : field[(colon + 1)..], name == "epoch"));
                i = close;
            }
            else if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}') { sb.Append('}'); i++; continue; }
                throw new FormatException($"Single '}}' in '{template}': write '}}}}' for a literal brace.");
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Formats one number with a Python format spec (for example <c>02d</c>, <c>.3f</c>, <c>.2e</c>, <c>&gt;8.4g</c>).</summary>
    /// <param name="x">The value.</param>
    /// <param name="spec">The spec (empty for Python's default).</param>
    /// <param name="isInteger">Format like a Python int when no type is given.</param>
    /// <exception cref="FormatException">An invalid spec.</exception>
    public static string FormatValue(double x, string spec, bool isInteger = false)
    {
        int p = 0;
        char fill = ' ', align = '\0', sign = '-';
        bool alternate = false;
        if (spec.Length >= 2 && spec[1] is '<' or '>' or '=' or '^') { fill = spec[0]; align = spec[1]; p = 2; }
        else if (spec.Length >= 1 && spec[0] is '<' or '>' or '=' or '^') { align = spec[0]; p = 1; }
        if (p < spec.Length && spec[p] is '+' or '-' or ' ') sign = spec[p++];
        if (p < spec.Length && spec[p] == '#') { alternate = true; p++; }
        if (p < spec.Length && spec[p] == '0') { if (align == '\0') { fill = '0'; align = '='; } p++; }
        int width = 0;
        while (p < spec.Length && char.IsAsciiDigit(spec[p])) width = checked(width * 10 + (spec[p++] - '0'));
        char grouping = '\0';
        if (p < spec.Length && spec[p] is ',' or '_') grouping = spec[p++];
        int? precision = null;
        if (p < spec.Length && spec[p] == '.')
        {
            p++;
            int start = p, prec = 0;
            while (p < spec.Length && char.IsAsciiDigit(spec[p])) prec = checked(prec * 10 + (spec[p++] - '0'));
            if (p == start) throw new FormatException($"Format spec '{spec}': '.' must be followed by a precision.");
            precision = prec;
        }
        char type = p < spec.Length ? spec[p++] : '\0';
        if (p != spec.Length) throw new FormatException($"Invalid format spec '{spec}'.");

        bool negative = x < 0 || (x == 0 && double.IsNegative(x));
        double a = Math.Abs(x);
        string body = type switch
        {
            'd' => Integer(x, spec),
            'f' or 'F' => Finite(a, type) ?? a.ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture) + (alternate && precision == 0 ? "." : ""),
            'e' or 'E' => Finite(a, type) ?? Exponent(a, precision ?? 6, type == 'E', alternate),
            'g' or 'G' => Finite(a, type) ?? General(a, precision ?? 6, type == 'G', alternate),
            '%' => Finite(a * 100, 'f') is { } s ? s + "%" : (a * 100).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture) + "%",
            '\0' when isInteger && precision is null => Integer(x, spec),
            '\0' => Finite(a, 'g') ?? (precision is int pr ? General(a, Math.Max(pr, 1), false, alternate, keepPoint: true) : Shortest(a)),
            _ => throw new FormatException($"Format spec '{spec}': unknown type '{type}' (use d, f, e, g or %)."),
        };
        if (grouping != '\0') body = Group(body, grouping);
        string signText = negative && !double.IsNaN(x) ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
        int pad = width - signText.Length - body.Length;
        if (pad <= 0) return signText + body;
        return (align == '\0' ? '>' : align) switch
        {
            '<' => signText + body + new string(fill, pad),
            '^' => new string(fill, pad / 2) + signText + body + new string(fill, pad - pad / 2),
            '=' => signText + new string(fill, pad) + body,
            _ => new string(fill, pad) + signText + body,
        };
    }

    static string Integer(double x, string spec)
    {
        if (!double.IsFinite(x) || x != Math.Floor(x))
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Format spec '{spec}' with 'd' needs an integer, got {x}; use a float spec such as .4f."));
        return Math.Abs(x).ToString("F0", CultureInfo.InvariantCulture);
    }

    static string? Finite(double a, char type) =>
        double.IsNaN(a) ? (char.IsUpper(type) ? "NAN" : "nan") : double.IsInfinity(a) ? (char.IsUpper(type) ? "INF" : "inf") : null;

    static string Exponent(double a, int precision, bool upper, bool alternate)
    {
        // The standard "E" format rounds the exact binary value (as Python does); custom "0.00e+00" patterns round a 15-digit
        // approximation first. .NET writes at least three exponent digits, Python at least two.
        var s = a.ToString("E" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int e = s.IndexOf('E');
        int exp = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = s[..e] + (alternate && precision == 0 ? "." : "");
        var result = mantissa + (exp < 0 ? "e-" : "e+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        return upper ? result.ToUpperInvariant() : result;
    }

    static string General(double a, int precision, bool upper, bool alternate, bool keepPoint = false)
    {
        int pr = Math.Max(precision, 1);
        if (a == 0) return keepPoint ? "0.0" : alternate ? "0." + new string('0', pr - 1) : "0";
        var e = Exponent(a, pr - 1, false, false);
        int exp = int.Parse(e[(e.IndexOf('e') + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string s;
        if (exp >= -4 && exp < pr)
        {
            s = a.ToString("F" + (pr - 1 - exp), CultureInfo.InvariantCulture);
            if (!alternate && s.Contains('.')) s = s.TrimEnd('0').TrimEnd('.');
            if (keepPoint && !s.Contains('.')) s += ".0";
        }
        else
        {
            var mantissa = e[..e.IndexOf('e')];
            if (!alternate && mantissa.Contains('.')) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
            s = mantissa + e[e.IndexOf('e')..];
        }
        return upper ? s.ToUpperInvariant() : s;
    }

    static string Shortest(double a)
    {
        // Python's repr: the shortest digits that round-trip; scientific below 1e-4 or from 1e16, positional otherwise.
        var r = a.ToString("R", CultureInfo.InvariantCulture);
        if (a == 0 || (a >= 1e-4 && a < 1e16))
        {
            if (r.Contains('E')) r = a.ToString("F1", CultureInfo.InvariantCulture); // .NET goes scientific from 1e15, Python from 1e16
            return r.Contains('.') ? r : r + ".0";
        }
        string digits;
        int exp;
        int ei = r.IndexOf('E');
        if (ei >= 0)
        {
            digits = r[..ei].Replace(".", "", StringComparison.Ordinal);
            exp = int.Parse(r[(ei + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        else
        {
            int dot = r.IndexOf('.');
            string whole = dot < 0 ? r : r[..dot], frac = dot < 0 ? "" : r[(dot + 1)..];
            if (whole != "0") { exp = whole.Length - 1; digits = (whole + frac).TrimStart('0'); }
            else { int lead = frac.Length - frac.TrimStart('0').Length; exp = -(lead + 1); digits = frac[lead..]; }
        }
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var mantissa = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
        return mantissa + (exp < 0 ? "e-" : "e+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
    }

    static string Group(string body, char separator)
    {
        int end = 0;
        while (end < body.Length && char.IsAsciiDigit(body[end])) end++;
        if (end <= 3) return body;
        var sb = new StringBuilder();
        for (int i = 0; i < end; i++)
        {
            if (i > 0 && (end - i) % 3 == 0) sb.Append(separator);
            sb.Append(body[i]);
        }
        return sb.Append(body, end, body.Length - end).ToString();
    }
}
