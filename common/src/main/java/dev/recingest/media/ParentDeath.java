package dev.recingest.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process that dies with its parent: on Linux, a command prefixed with {@code setpriv --pdeathsig KILL --}
 * gets SIGKILL when the thread that started it ends, so a JVM killed with {@code kill -9} leaves no FFmpeg behind.
 * Start such a process from a thread that lives as long as the process should (the kernel signals the death of
 * the starting thread, not of the whole JVM).
 */
public final class ParentDeath {

    private static final Logger LOG = LoggerFactory.getLogger(ParentDeath.class);
    private static volatile List<String> prefix;

    private ParentDeath() {
    }

    /** {@code setpriv --pdeathsig KILL --} where util-linux's setpriv can do it (Linux), else nothing; asked once. */
    public static List<String> prefix() {
        List<String> p = prefix;
        if (p == null) {
            p = find();
            prefix = p;
        }
        return p;
    }

    private static List<String> find() {
        for (String dir : List.of("/usr/bin", "/bin")) {
            Path setpriv = Path.of(dir, "setpriv");
            if (!Files.isExecutable(setpriv)) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(setpriv.toString(), "--help").redirectErrorStream(true).start();
                String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(5, TimeUnit.SECONDS);
                if (help.contains("--pdeathsig")) {
                    return List.of(setpriv.toString(), "--pdeathsig", "KILL", "--");
                }
            } catch (IOException e) {
                // not usable; try the next place
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.atInfo().addKeyValue("reason", "setpriv --pdeathsig unavailable; an FFmpeg left by a killed process runs "
                + "until its input ends").log("no pdeathsig");
        return List.of();
    }
}
