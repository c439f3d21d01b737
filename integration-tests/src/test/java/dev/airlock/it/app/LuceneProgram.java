package dev.airlock.it.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.NIOFSDirectory;

/**
 * An ordinary program using Lucene: it indexes a few documents into the directory it is given,
 * once through {@link MMapDirectory} (the index files mapped into memory) and once through
 * {@link NIOFSDirectory}, in two commits with a deletion and a merge (so Lucene deletes the
 * files it no longer needs), searches, and prints the hits and the index's files.
 */
public final class LuceneProgram {
    private LuceneProgram() {}

    private static final String[] TEXTS = {
        "the quick brown fox jumps over the lazy dog",
        "a sandbox confines a program to the files its policy grants",
        "the broker opens granted files and passes descriptors to the helper",
        "lazy afternoons and quick searches",
        "every program in the sandbox meets the same policy",
        "foxes and dogs are not programs",
    };

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        try (Directory mmap = new MMapDirectory(Files.createDirectory(dir.resolve("mmap")))) {
            run("mmap", mmap);
        }
        try (Directory nio = new NIOFSDirectory(Files.createDirectory(dir.resolve("nio")))) {
            run("nio", nio);
        }
    }

    private static void run(String name, Directory directory) throws IOException {
        try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(new StandardAnalyzer()))) {
            for (int i = 0; i < TEXTS.length; i++) {
                writer.addDocument(document(i));
            }
            writer.commit();
            writer.addDocument(document(TEXTS.length));
            writer.deleteDocuments(new Term("id", "doc-0"));
            writer.commit();
            writer.forceMerge(1);
        }
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            System.out.println(name + " docs " + reader.numDocs());
            search(name, searcher, new TermQuery(new Term("body", "sandbox")));
            search(name, searcher, new PhraseQuery("body", "same", "policy"));
            search(
                    name,
                    searcher,
                    new BooleanQuery.Builder()
                            .add(new TermQuery(new Term("body", "quick")), BooleanClause.Occur.SHOULD)
                            .add(new TermQuery(new Term("body", "program")), BooleanClause.Occur.SHOULD)
                            .add(new TermQuery(new Term("body", "dog")), BooleanClause.Occur.MUST_NOT)
                            .build());
        }
        String[] files = directory.listAll();
        Arrays.sort(files);
        System.out.println(name + " files " + String.join(" ", files));
    }

    private static Document document(int i) {
        Document doc = new Document();
        doc.add(new StringField("id", "doc-" + i, Field.Store.YES));
        doc.add(new TextField(
                "body", i < TEXTS.length ? TEXTS[i] : "a late program joins the sandbox", Field.Store.YES));
        return doc;
    }

    private static void search(String name, IndexSearcher searcher, Query query) throws IOException {
        StringBuilder line = new StringBuilder(name + " query " + query + ":");
        for (ScoreDoc hit : searcher.search(query, 10).scoreDocs) {
            Document doc = searcher.storedFields().document(hit.doc);
            line.append(' ').append(doc.get("id")).append('=').append(hit.score);
        }
        System.out.println(line);
    }
}
