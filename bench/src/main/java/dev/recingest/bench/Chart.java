package dev.recingest.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * Throughput (acked MB/s) against concurrency, one colour per chunk size: the gateway as solid lines, the
 * direct-S3 baseline dashed. Plain Java2D, so the suite needs no charting dependency.
 */
final class Chart {

    private static final int W = 900;
    private static final int H = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e)};

    private Chart() {
    }

    static void throughput(List<Throughput.Cell> cells, String title, Path png) throws IOException {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        List<Integer> ns = new TreeSet<>(cells.stream().map(Throughput.Cell::recorders).toList()).stream().toList();
        List<Integer> sizes = new TreeSet<>(cells.stream().map(Throughput.Cell::chunkBytes).toList()).stream().toList();
        double max = cells.stream().mapToDouble(c -> Math.max(c.gateway().mbPerSecond(), c.direct().mbPerSecond()))
                .max().orElse(1) * 1.1;
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawLine(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH);
        g.drawLine(LEFT, TOP, LEFT, TOP + plotH);
        for (int t = 0; t <= 5; t++) {
            int y = TOP + plotH - plotH * t / 5;
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(LEFT + 1, y, LEFT + plotW, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.0f", max * t / 5), LEFT - 45, y + 4);
        }
        for (int i = 0; i < ns.size(); i++) {
            g.drawString(String.valueOf(ns.get(i)), x(i, ns.size(), plotW) - 6, TOP + plotH + 20);
        }
        g.drawString("concurrent recordings (N)", LEFT + plotW / 2 - 70, H - 15);
        g.drawString("acked MB/s", 10, TOP - 12);
        for (int s = 0; s < sizes.size(); s++) {
            int size = sizes.get(s);
            Color colour = COLOURS[s % COLOURS.length];
            for (boolean gateway : new boolean[] {true, false}) {
                g.setColor(colour);
                g.setStroke(gateway ? new BasicStroke(2.5f)
                        : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {8, 6}, 0));
                int px = -1;
                int py = -1;
                for (int i = 0; i < ns.size(); i++) {
                    int n = ns.get(i);
                    var cell = cells.stream().filter(c -> c.recorders() == n && c.chunkBytes() == size).findFirst();
                    if (cell.isEmpty()) {
                        continue;
                    }
                    double v = gateway ? cell.get().gateway().mbPerSecond() : cell.get().direct().mbPerSecond();
                    int cx = x(i, ns.size(), plotW);
                    int cy = TOP + plotH - (int) (plotH * v / max);
                    g.fillOval(cx - 3, cy - 3, 7, 7);
                    if (px >= 0) {
                        g.drawLine(px, py, cx, cy);
                    }
                    px = cx;
                    py = cy;
                }
                int ly = TOP + 20 + (s * 2 + (gateway ? 0 : 1)) * 22;
                g.drawLine(W - RIGHT + 20, ly, W - RIGHT + 60, ly);
                g.setColor(Color.BLACK);
                g.drawString((gateway ? "gateway " : "direct S3 ") + Report.size(size), W - RIGHT + 68, ly + 4);
            }
        }
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(image, "png", png.toFile());
    }

    private static int x(int i, int count, int plotW) {
        return LEFT + (count == 1 ? plotW / 2 : 30 + (plotW - 60) * i / (count - 1));
    }
}
