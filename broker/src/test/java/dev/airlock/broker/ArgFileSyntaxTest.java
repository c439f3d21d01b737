package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher's argfile and JDK_JAVA_OPTIONS syntax, on the cases its own tokenizer is known to produce. */
class ArgFileSyntaxTest {
    @Test
    void argFilesSplitAsTheLauncherSplitsThem() {
        assertEquals(
                List.of("-version", "-cp", "c:\\java libs\\one.jar"),
                ArgFileSyntax.argFileTokens("-version -cp \"c:\\\\java libs\\\\one.jar\" \n"));
        assertEquals(
                List.of("com.foo.Panda", "Furious 5", "and", "Shi Fu", "escape\tprison"),
                ArgFileSyntax.argFileTokens("com.foo.Panda \"Furious 5\"\fand\t'Shi Fu' \"escape\tprison"),
                "an open quote at the end");
        assertEquals(
                List.of("line", "one", "line #2", "line", "4"),
                ArgFileSyntax.argFileTokens(
                        "line one #comment\n'line #2' #rest are comment\r\n#comment on line 3\nline 4 #comment to eof"));
        assertEquals(
                List.of("This", "is", "an", "open quote ", "across", "line", ",", "note", "for", "WS."),
                ArgFileSyntax.argFileTokens("This is an \"open quote \n    across line\n\t, note for WS."),
                "quotes end at a line end");
        assertEquals(
                List.of("Open quote to ", "new", "line third\tand\ffourth"),
                ArgFileSyntax.argFileTokens("\"Open quote to \n  new \"line \\\n\r   third\\\n\r\\\tand\ffourth\""),
                "a backslash before a line end joins the lines");
        assertEquals(
                List.of("mix 'single quote' in double", "mix \"double quote\" in single", "partialquote methis"),
                ArgFileSyntax.argFileTokens(
                        "\"mix 'single quote' in double\" 'mix \"double quote\" in single' partial\"quote me\"this"));
        assertEquals(List.of("c:\\partial quote\\lib"), ArgFileSyntax.argFileTokens("c:\\\"partial quote\"\\lib"));
        assertEquals(List.of("", "x"), ArgFileSyntax.argFileTokens("\"\" x"), "an empty quoted token is a token");
        assertEquals(List.of(), ArgFileSyntax.argFileTokens("  # only a comment"));
    }

    @Test
    void jdkJavaOptionsSplitOnSpacesWithQuotesButNoEscapes() {
        assertEquals(
                List.of("-Dy=2", "-Dq=a b", "-cp", "x\\y", "'inner'"),
                ArgFileSyntax.optionTokens(" -Dy=2 \"-Dq=a b\"\t-cp x\\y \"'inner'\" "));
        assertEquals(List.of(), ArgFileSyntax.optionTokens("   "));
    }
}
