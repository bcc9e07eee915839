using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransferNotebooks.Layers;

/// <summary>Reads a Keras integer-tuple setting written either as one number (<c>3</c>) or as a list (<c>[3, 3]</c>); writes a list.</summary>
public sealed class IntsConverter : JsonConverter<int[]>
{
    /// <inheritdoc />
    public override int[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.Number) return [reader.GetInt32()];
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Expected a number or a list of numbers.");
        var values = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number) throw new JsonException("Expected a list of whole numbers.");
            values.Add(reader.GetInt32());
        }
        return [.. values];
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, int[] value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var v in value) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }
}

/// <summary>Checks for Keras settings that every layer shares and that this library does not implement.</summary>
public static class KerasSettings
{
    /// <summary>Throws <see cref="NotSupportedException"/> unless <paramref name="dataFormat"/> is channels_last (or absent).</summary>
    public static void RequireChannelsLast(string? dataFormat, string? layer, string type)
    {
        if (dataFormat is not null && dataFormat != "channels_last")
            throw new NotSupportedException($"Layer '{layer}' ({type}) uses data_format '{dataFormat}'; only channels_last models are supported.");
    }

    /// <summary>Throws <see cref="NotSupportedException"/> when <paramref name="enabled"/> is set, naming the Keras setting.</summary>
    public static void Refuse(bool enabled, string? layer, string type, string setting, string why)
    {
        if (enabled) throw new NotSupportedException($"Layer '{layer}' ({type}) uses {setting}, which is not supported; {why}");
    }

    /// <summary>Expands a Keras tuple setting (<c>3</c> or <c>[3, 3]</c>) to <paramref name="rank"/> values; null gives <paramref name="fallback"/>.</summary>
    public static int[] Tuple(int[]? values, int rank, int[] fallback, string? layer, string type, string setting) => values switch
    {
        null => fallback,
        { Length: 1 } => Enumerable.Repeat(values[0], rank).ToArray(),
        _ when values.Length == rank => values,
        _ => throw new InvalidDataException($"Layer '{layer}' ({type}) has {setting} [{string.Join(", ", values)}]; it needs {rank} value(s)."),
    };
}

/// <summary>Reads a setting that Keras allows as a number or a per-channel list, refusing the list with a clear error.</summary>
public sealed class SingleNumberConverter : JsonConverter<double>
{
    /// <inheritdoc />
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetDouble(),
        JsonTokenType.StartArray or JsonTokenType.StartObject => throw new NotSupportedException(
            "it has a per-channel value (a list); only single numbers are supported. Transform the data before the model instead, or use one number for all channels."),
        _ => throw new JsonException("Expected a number."),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}

/// <summary>
/// Reads a Keras setting given either as one number (<c>0.2</c>) or as a list (<c>[-0.1, 0.3]</c>), such as the factors of the
/// random augmentation layers or RandomContrast's <c>value_range</c>; writes one number back as a number and a list as a list.
/// </summary>
public sealed class NumbersConverter : JsonConverter<double[]>
{
    /// <inheritdoc />
    public override double[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.Number) return [reader.GetDouble()];
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Expected a number or a list of numbers.");
        var values = new List<double>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number) throw new JsonException("Expected a list of numbers.");
            values.Add(reader.GetDouble());
        }
        return [.. values];
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, double[] value, JsonSerializerOptions options)
    {
        if (value.Length == 1) { writer.WriteNumberValue(value[0]); return; }
        writer.WriteStartArray();
        foreach (var v in value) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }
}
