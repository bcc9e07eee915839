#:package Microsoft.ML.OnnxRuntime@1.32.0
// Serves predictions from a model exported by TransferNotebooks (model.Save("model.onnx")) with ONNX Runtime alone: no TorchSharp,
// no TransferNotebooks. Run:   dotnet run samples/OnnxServe/serve.cs -- model.onnx inputs.npy     (or inputs.csv)
//
// Inputs are the samples in the model's own layout (as Predict takes them: images channels last, token ids for an Embedding):
// a .npy array (float32/float64/int32/int64, C order) whose first axis is the sample, or a CSV file with one flattened sample per
// line. Grayscale images [N, 28, 28] feed a [28, 28, 1] input. Prints one CSV line of outputs per sample on stdout.
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: dotnet run serve.cs -- <model.onnx> <inputs.npy|inputs.csv>");
    return 2;
}
var (modelPath, inputPath) = (args[0], args[1]);
foreach (var f in new[] { modelPath, inputPath })
    if (!File.Exists(f)) { Console.Error.WriteLine($"No file at '{f}'."); return 2; }

using var session = new InferenceSession(modelPath);
var (inputName, meta) = session.InputMetadata.Single();
int[] perSample = meta.Dimensions.Skip(1).ToArray();              // the first dimension is the dynamic batch
int sampleSize = perSample.Aggregate(1, (a, b) => a * b);
bool tokens = meta.ElementType == typeof(long);

double[] values = Path.GetExtension(inputPath).Equals(".npy", StringComparison.OrdinalIgnoreCase) ? ReadNpy(inputPath) : ReadCsv(inputPath);
if (values.Length == 0 || values.Length % sampleSize != 0)
{
    Console.Error.WriteLine($"'{inputPath}' holds {values.Length} numbers, not a whole number of samples of shape ({string.Join(", ", perSample)}) = {sampleSize} each.");
    return 1;
}
int n = values.Length / sampleSize;
int[] shape = [n, .. perSample];
NamedOnnxValue input = tokens
    ? NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<long>(values.Select(v => (long)v).ToArray(), shape))
    : NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(values.Select(v => (float)v).ToArray(), shape));

var started = System.Diagnostics.Stopwatch.StartNew();
using var results = session.Run([input]);
var output = results.First().AsTensor<float>();
int perRow = (int)(output.Length / n);
var flat = output.ToArray();
var text = new StringBuilder();
for (int i = 0; i < n; i++)
    text.AppendLine(string.Join(",", flat.Skip(i * perRow).Take(perRow).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
Console.Write(text);
Console.Error.WriteLine($"{n} samples of ({string.Join(", ", perSample)}) -> {perRow} outputs each in {started.Elapsed.TotalMilliseconds:F1} ms");
return 0;

// A .npy file's numbers (NumPy format 1.0-3.0: magic, header dict, then the raw little-endian array in C order).
static double[] ReadNpy(string path)
{
    using var reader = new BinaryReader(File.OpenRead(path));
    if (!reader.ReadBytes(6).SequenceEqual(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' })) throw new InvalidDataException($"'{path}' is not a .npy file.");
    int major = reader.ReadByte();
    reader.ReadByte();
    int headerLength = major == 1 ? reader.ReadUInt16() : (int)reader.ReadUInt32();
    var header = Encoding.Latin1.GetString(reader.ReadBytes(headerLength));
    var descr = Regex.Match(header, @"'descr':\s*'([<|=]?)([a-z]\d+)'").Groups;
    if (Regex.IsMatch(header, @"'fortran_order':\s*True")) throw new InvalidDataException($"'{path}' is in Fortran order; save it with np.ascontiguousarray.");
    if (descr[1].Value == ">") throw new InvalidDataException($"'{path}' is big-endian; save it as little-endian.");
    var shape = Regex.Match(header, @"'shape':\s*\(([^)]*)\)").Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    long count = shape.Aggregate(1L, (a, d) => a * long.Parse(d, CultureInfo.InvariantCulture));
    var result = new double[count];
    for (long i = 0; i < count; i++)
        result[i] = descr[2].Value switch
        {
            "f4" => reader.ReadSingle(),
            "f8" => reader.ReadDouble(),
            "i4" => reader.ReadInt32(),
            "i8" => reader.ReadInt64(),
            "u1" => reader.ReadByte(),
            var t => throw new InvalidDataException($"'{path}' holds {t} values; use float32, float64, int32, int64 or uint8."),
        };
    return result;
}

// A CSV file's numbers: one flattened sample per line (commas, semicolons or whitespace between values).
static double[] ReadCsv(string path) => File.ReadLines(path)
    .Where(l => l.Trim().Length > 0)
    .SelectMany(l => l.Split([',', ';', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
    .Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture))
    .ToArray();
