package dev.airlock.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * What one Maven Surefire run reported: every test case of the {@code TEST-*.xml} files in a
 * {@code surefire-reports} directory, with its outcome and, for a failed one, the text Surefire
 * kept (message and stack trace), and the system properties of the forked JVM the tests ran in.
 * {@link SurefireArgLineIT} compares two of these case by case, so "same results" means the same
 * test cases with the same outcomes, not only the same totals.
 */
record SurefireReport(Map<String, Outcome> cases, Map<String, String> failures, Map<String, String> properties) {

    /** How one test case ended, as Surefire's report says. */
    enum Outcome {
        PASSED,
        FAILED,
        ERROR,
        SKIPPED
    }

    /** Reads every {@code TEST-*.xml} in {@code directory}; fails if there is none. */
    static SurefireReport read(Path directory) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(directory)) {
            try (Stream<Path> list = Files.list(directory)) {
                list.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml"))
                        .sorted()
                        .forEach(files::add);
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no Surefire report (TEST-*.xml) in " + directory);
        }
        Map<String, Outcome> cases = new TreeMap<>();
        Map<String, String> failures = new TreeMap<>();
        Map<String, String> properties = new TreeMap<>();
        for (Path file : files) {
            Element suite = parse(file);
            NodeList props = suite.getElementsByTagName("property");
            for (int i = 0; i < props.getLength(); i++) {
                Element p = (Element) props.item(i);
                properties.putIfAbsent(p.getAttribute("name"), p.getAttribute("value"));
            }
            NodeList testcases = suite.getElementsByTagName("testcase");
            for (int i = 0; i < testcases.getLength(); i++) {
                Element testcase = (Element) testcases.item(i);
                String id = testcase.getAttribute("classname") + "#" + testcase.getAttribute("name");
                Outcome outcome = Outcome.PASSED;
                StringBuilder text = new StringBuilder();
                for (Node child = testcase.getFirstChild(); child != null; child = child.getNextSibling()) {
                    if (!(child instanceof Element element)) {
                        continue;
                    }
                    switch (element.getTagName()) {
                        case "failure" -> outcome = Outcome.FAILED;
                        case "error" -> outcome = Outcome.ERROR;
                        case "skipped" -> outcome = Outcome.SKIPPED;
                        default -> {
                            continue;
                        }
                    }
                    text.append(element.getAttribute("type"))
                            .append(": ")
                            .append(element.getAttribute("message"))
                            .append('\n')
                            .append(element.getTextContent());
                }
                if (cases.put(id, outcome) != null) {
                    throw new IOException("test case " + id + " reported twice in " + directory);
                }
                if (outcome == Outcome.FAILED || outcome == Outcome.ERROR) {
                    failures.put(id, text.toString());
                }
            }
        }
        return new SurefireReport(cases, failures, properties);
    }

    private static Element parse(Path file) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // A report is data: no DTDs, no external entities.
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("unreadable Surefire report " + file + ": " + e.getMessage(), e);
        }
    }

    /** How many test cases ended with {@code outcome}. */
    long count(Outcome outcome) {
        return cases.values().stream().filter(o -> o == outcome).count();
    }

    /** Surefire's own summary form: {@code Tests run: N, Failures: N, Errors: N, Skipped: N}. */
    String summary() {
        return "Tests run: " + cases.size() + ", Failures: " + count(Outcome.FAILED) + ", Errors: "
                + count(Outcome.ERROR) + ", Skipped: " + count(Outcome.SKIPPED);
    }
}
