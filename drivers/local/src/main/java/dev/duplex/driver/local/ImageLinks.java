package dev.duplex.driver.local;

import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.VisibleText;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses an image holding a symbolic link that leads outside the image. A VM's root folder is
 * a copy of the image, so {@code esc -> /elsewhere} in the image would be {@code esc ->
 * /elsewhere} in every VM, where anything that follows it (a mount point, the VM's own writes)
 * lands outside the VM.
 *
 * <p>Each link is resolved the way the kernel would resolve it, part by part and link by link,
 * but with the image as the whole world: an absolute target, a {@code ..} that climbs above the
 * image's top (also after following other links) or a chain of more than {@value #MAX_HOPS}
 * links (a loop) is refused. A link to a path that does not exist inside the image is allowed;
 * it leads nowhere.
 */
final class ImageLinks {
    /** The kernel's own limit on links followed in one lookup (ELOOP). */
    static final int MAX_HOPS = 40;

    private ImageLinks() {}

    /**
     * Checks every link under {@code tree}.
     *
     * @param tree the image's content (our own copy, so nobody changes it while we look)
     * @param shownAs the folder the image was registered from, to name the link in the message
     * @throws InvalidSpecException for the first link leading outside, naming it and its target
     */
    static void check(Path tree, Path shownAs, String imageName, ObjectId image) throws IOException {
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    checkLink(tree, file, shownAs, imageName, image);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void checkLink(Path tree, Path link, Path shownAs, String imageName, ObjectId image) throws IOException {
        Path relative = tree.relativize(link);
        List<String> folder = new ArrayList<>();
        if (relative.getParent() != null) {
            relative.getParent().forEach(part -> folder.add(part.toString()));
        }
        Path target = Files.readSymbolicLink(link);
        String problem = null;
        try {
            follow(tree, folder, target, new int[] {1});
        } catch (Escape e) {
            problem = e.reason;
        }
        if (problem != null) {
            throw new InvalidSpecException("Image " + imageName + " has a symbolic link "
                    + VisibleText.escape(shownAs.resolve(relative).toString()) + " -> " + VisibleText.escape(target.toString())
                    + " that " + problem + "; an image may link only inside itself: replace the link by what it points to,"
                    + " or by a relative link inside the image", image);
        }
    }

    /** Resolves {@code target} from the folder {@code from} (parts below {@code tree}) inside the tree. */
    private static List<String> follow(Path tree, List<String> from, Path target, int[] hops) throws IOException, Escape {
        if (target.isAbsolute()) {
            throw new Escape(hops[0] == 1 ? "is absolute, so it points outside the image"
                    : "leads outside the image through a link to the absolute path " + target);
        }
        List<String> at = new ArrayList<>(from);
        for (Path step : target) {
            String part = step.toString();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (at.isEmpty()) {
                    throw new Escape("climbs above the image's top folder");
                }
                at.remove(at.size() - 1);
                continue;
            }
            at.add(part);
            // Every earlier part is a real folder by now, so this looks at the part itself, inside the tree.
            Path onDisk = tree.resolve(String.join("/", at));
            if (Files.isSymbolicLink(onDisk)) {
                if (++hops[0] > MAX_HOPS) {
                    throw new Escape("never resolves: more than " + MAX_HOPS + " links in a row (a loop of links)");
                }
                at.remove(at.size() - 1);
                at = follow(tree, at, Files.readSymbolicLink(onDisk), hops);
            }
        }
        return at;
    }

    /** A link's resolution left the image; the reason completes the message. */
    private static final class Escape extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        Escape(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }
    }
}
