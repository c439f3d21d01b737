package dev.airlock.it.app;

import java.io.IOException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * An ordinary program using Apache HttpClient (classic API, its pooling connection manager)
 * against the HTTP server at the base URL it is given: a GET, a POST with a body, and another GET,
 * on one kept-alive connection the pool reuses. Prints each status and body; a failure is printed
 * as its exception and causes and the program exits with 1.
 */
public final class HttpClientProgram {
    private HttpClientProgram() {}

    public static void main(String[] args) {
        String base = args[0];
        try (CloseableHttpClient client = HttpClients.createDefault()) {
            String first = client.execute(
                    new HttpGet(base + "/greeting"),
                    r -> "GET " + r.getCode() + " " + EntityUtils.toString(r.getEntity()));
            System.out.println(first);
            HttpPost post = new HttpPost(base + "/echo");
            post.setEntity(new StringEntity("posted by httpclient5", ContentType.TEXT_PLAIN));
            String posted =
                    client.execute(post, r -> "POST " + r.getCode() + " " + EntityUtils.toString(r.getEntity()));
            System.out.println(posted);
            String again = client.execute(
                    new HttpGet(base + "/greeting?again"),
                    r -> "GET " + r.getCode() + " " + EntityUtils.toString(r.getEntity()));
            System.out.println(again);
        } catch (IOException e) {
            System.out.println(ExceptionChain.of(e));
            System.exit(1);
        }
    }
}
