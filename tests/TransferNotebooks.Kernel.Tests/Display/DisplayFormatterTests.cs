using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using TransferNotebooks.Kernel.Display;

namespace TransferNotebooks.Kernel.Tests.Display;

public class DisplayFormatterTests
{
    [Theory]
    [InlineData(typeof(int))]
    [InlineData(typeof(string))]
    [InlineData(typeof(double[]))]
    [InlineData(typeof(FSharpList<int>))]
    [InlineData(typeof(FSharpOption<string>))]
    [InlineData(typeof(Tuple<int, string>))]
    [InlineData(typeof(ValueTuple<int, int>))]
    public void Primitives_and_FSharp_structural_values_are_text_only(Type type) => Assert.True(DisplayFormatter.IsPlain(type));

    [Fact]
    public void Other_objects_may_have_html() => Assert.False(DisplayFormatter.IsPlain(typeof(List<int>)));

    [Fact]
    public void Html_content_is_sent_as_html()
    {
        var data = DisplayFormatter.Format(new HtmlContent("<b>x</b>"));
        Assert.Equal("<b>x</b>", data["text/html"]!.GetValue<string>());
    }

    [Fact]
    public void Null_and_plain_values_have_text_plain_only()
    {
        Assert.Equal("null", DisplayFormatter.Format(null)["text/plain"]!.GetValue<string>());
        var data = DisplayFormatter.Format(42);
        Assert.Equal("42", data["text/plain"]!.GetValue<string>());
        Assert.False(data.ContainsKey("text/html"));
    }

    [Fact]
    public void A_throwing_ToString_does_not_break_display()
    {
        var data = DisplayFormatter.Format(new Throwing());
        Assert.NotNull(data["text/plain"]);
    }

    [Fact]
    public void FSharp_lists_print_as_text_not_as_property_bags()
    {
        var list = ListModule.OfSeq([1, 2, 3]);
        var html = DisplayFormatter.Format(new { Items = list })["text/html"]?.GetValue<string>() ?? "";
        Assert.DoesNotContain("Tail", html);
    }

    [Fact]
    public void FSharp_values_print_FSharp_style_without_a_language_printer()
    {
        Assert.Equal("[1; 2; 3]", DisplayFormatter.FSharpText(ListModule.OfSeq([1, 2, 3])));
        Assert.Equal("Some \"x\"", DisplayFormatter.FSharpText(FSharpOption<string>.Some("x")));
        Assert.Equal("[[1]; []]", DisplayFormatter.FSharpText(ListModule.OfSeq([ListModule.OfSeq([1]), FSharpList<int>.Empty])));
        Assert.Equal("[1; 2; 3]", DisplayFormatter.Format(ListModule.OfSeq([1, 2, 3]))["text/plain"]!.GetValue<string>());
    }

    sealed class Throwing
    {
        public int Value => throw new InvalidOperationException("no");
        public override string ToString() => throw new InvalidOperationException("no");
    }
}
