package dev.airlock.it.app;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * An ordinary headless program drawing text with AWT and writing it as PNG with ImageIO: it
 * draws in the logical fonts (resolved to the machine's fonts through fontconfig), writes
 * {@code text.png} through a file and {@code stream.png} through an output stream (which ImageIO
 * buffers in a cache file in {@code java.io.tmpdir} when it can), reads one back, and prints the
 * fonts it used, their metrics and the installed font families.
 */
public final class TextImageProgram {
    private TextImageProgram() {}

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path dir = Path.of(args[0]);
        BufferedImage image = new BufferedImage(420, 120, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        int y = 30;
        for (String name : new String[] {Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED}) {
            Font font = new Font(name, Font.PLAIN, 22);
            g.setFont(font);
            String text = name + ": Airlock ÄÖü 0123";
            g.drawString(text, 8, y);
            FontMetrics metrics = g.getFontMetrics();
            System.out.println("font " + name + " -> " + font.getFontName() + " width " + metrics.stringWidth(text)
                    + " ascent " + metrics.getAscent() + " descent " + metrics.getDescent());
            y += 36;
        }
        g.dispose();
        System.out.println("written file "
                + ImageIO.write(image, "png", dir.resolve("text.png").toFile()));
        try (OutputStream out = Files.newOutputStream(dir.resolve("stream.png"))) {
            System.out.println("written stream " + ImageIO.write(image, "png", out));
        }
        BufferedImage back = ImageIO.read(new File(dir.toFile(), "text.png"));
        CRC32 pixels = new CRC32();
        for (int row = 0; row < back.getHeight(); row++) {
            for (int column = 0; column < back.getWidth(); column++) {
                pixels.update(back.getRGB(column, row));
            }
        }
        System.out.println(
                "read " + back.getWidth() + "x" + back.getHeight() + " pixels " + Long.toHexString(pixels.getValue()));
        System.out.println("families "
                + String.join(
                        ",", GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames()));
    }
}
