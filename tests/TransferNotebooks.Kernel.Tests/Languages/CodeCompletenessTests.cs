using TransferNotebooks.Kernel.Languages;

namespace TransferNotebooks.Kernel.Tests.Languages;

public class CodeCompletenessTests
{
    [Theory]
    [InlineData("1 + 1", "complete")]
    [InlineData("let x = 1\nx", "complete")]
    [InlineData("let f x =", "incomplete")]
    [InlineData("[1; 2;", "incomplete")]
    [InlineData("let s = \"open (", "incomplete")]
    [InlineData("let s = \"(\"", "complete")]
    [InlineData("(* comment", "incomplete")]
    [InlineData("xs |> List.map (fun x ->", "incomplete")]
    [InlineData("1)", "invalid")]
    [InlineData("let c = '('", "complete")]
    [InlineData("\"\"\"triple ( \"\"\"", "complete")]
    [InlineData("if a = b then 1 else 2", "complete")]
    public void FSharp_is_complete(string code, string expected) =>
        Assert.Equal(expected, CodeCompleteness.FSharp(code).Status);

    [Fact]
    public void Incomplete_FSharp_suggests_an_indent() =>
        Assert.Equal("        ", CodeCompleteness.FSharp("    let f x =").Indent);

    [Theory]
    [InlineData("var x = 1;", "complete")]
    [InlineData("if (x > 1) {", "incomplete")]
    [InlineData("x * 2", "complete")]
    [InlineData("Console.WriteLine(", "incomplete")]
    [InlineData("}", "invalid")]
    [InlineData("#r \"nuget: A, 1.0\"", "complete")]
    public void CSharp_is_complete(string code, string expected) =>
        Assert.Equal(expected, new CSharpEngine().IsComplete(code).Status);

    [Fact]
    public void Word_before_the_cursor_with_its_qualifier()
    {
        Assert.Equal((5, "ma", "List"), CodeCompleteness.WordBefore("List.ma", 7));
        Assert.Equal((0, "pri", ""), CodeCompleteness.WordBefore("pri", 3));
        Assert.Equal((18, "Wri", "System.Console"), CodeCompleteness.WordBefore("x; System.Console.Wri", 21));
    }

    [Fact]
    public void CSharp_cell_value_only_when_it_ends_with_an_expression()
    {
        Assert.True(CSharpEngine.EndsWithExpression("var x = 1;\nx * 2"));
        Assert.False(CSharpEngine.EndsWithExpression("var x = 1;"));
        Assert.False(CSharpEngine.EndsWithExpression("Console.WriteLine(1);"));
    }
}
