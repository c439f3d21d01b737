package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AgentArgsTest {

    @Test
    void parsesEveryKey() {
        AgentArgs a = AgentArgs.parse("channel=3,policy=app.policy,cache=/var/cache/airlock");
        assertEquals(3, a.channel());
        assertEquals("app.policy", a.policy());
        assertEquals(Path.of("/var/cache/airlock"), a.cache());
        assertNull(a.prepare());
        assertEquals(Path.of("/tmp/c"), AgentArgs.parse("prepare=/tmp/c").prepare());
    }

    @Test
    void noArgumentsMeanDefaults() {
        for (String none : new String[] {null, ""}) {
            AgentArgs a = AgentArgs.parse(none);
            assertEquals(-1, a.channel());
            assertNull(a.policy());
            assertNull(a.cache());
            assertNull(a.prepare());
        }
    }

    @Test
    void valuesArePercentDecodedAsUtf8ButPlusStaysPlus() {
        assertEquals(
                "a.policy, b.policy",
                AgentArgs.parse("policy=a.policy%2C%20b.policy").policy());
        assertEquals("100%+é", AgentArgs.parse("policy=100%25+%C3%A9").policy());
        assertEquals("ü.policy", AgentArgs.parse("policy=ü.policy").policy());
    }

    @Test
    void hiddenRootsAreTheCoveredDirectoriesDecodedAndNoneByDefault() {
        assertEquals(List.of(), AgentArgs.parse("channel=3,direct=/usr").hiddenRoots());
        assertEquals(
                List.of("/root", "/srv/a:b"),
                AgentArgs.parse("channel=3,direct=/usr,hidden=/root/:/srv/a%3Ab")
                        .hiddenRoots());
        assertMessage("agent argument 'hidden' holds a relative path: 'root'", "hidden=root");
        assertMessage("agent argument 'hidden' given twice", "hidden=/a,hidden=/b");
    }

    @Test
    void theTimelineOriginIsASignedNanosecondCountAndOffByDefault() {
        assertEquals(OptionalLong.empty(), AgentArgs.parse("channel=3").timeline());
        assertEquals(
                OptionalLong.of(59_739_940_000_000L),
                AgentArgs.parse("channel=3,timeline=59739940000000").timeline());
        assertEquals(OptionalLong.of(-5), AgentArgs.parse("timeline=-5").timeline());
        assertMessage("agent argument 'timeline' is not a time in nanoseconds: '1.5'", "timeline=1.5");
        assertMessage("agent argument 'timeline' is not a time in nanoseconds: ''", "timeline=");
        assertMessage("agent argument 'timeline' given twice", "timeline=1,timeline=2");
    }

    @Test
    void rejectsWhatItDoesNotUnderstand() {
        assertMessage("unknown agent argument 'chanel'", "chanel=3");
        assertMessage("agent argument 'channel' given twice", "channel=3,channel=4");
        assertMessage("agent argument 'channel' is not a descriptor: 'three'", "channel=three");
        assertMessage("agent argument 'channel' is not a descriptor: '-1'", "channel=-1");
        assertMessage("agent argument 'policy' is empty", "policy=");
        assertMessage("agent argument 'cache' is not an absolute path: 'cache'", "cache=cache");
        assertMessage("agent argument 'x' is not KEY=VALUE", "channel=3,x");
        assertMessage("agent argument '=3' is not KEY=VALUE", "=3");
        assertMessage("bad percent escape in agent argument 'a%2'", "policy=a%2");
        assertMessage("bad percent escape in agent argument 'a%zz'", "policy=a%zz");
        assertMessage("agent argument '%FF' is not UTF-8 once decoded", "policy=%FF");
    }

    private static void assertMessage(String expected, String args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentArgs.parse(args));
        assertEquals(expected, e.getMessage());
    }
}
