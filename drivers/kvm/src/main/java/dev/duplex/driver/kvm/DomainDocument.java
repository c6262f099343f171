package dev.duplex.driver.kvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** A libvirt domain's XML as read back from libvirt, with the few reads and edits the driver makes. */
final class DomainDocument {
    private final Document document;

    private DomainDocument(Document document) {
        this.document = document;
    }

    static DomainDocument parse(String xml) {
        return new DomainDocument(Xml.parse(xml));
    }

    private Element root() {
        return document.getDocumentElement();
    }

    String name() {
        return Xml.childText(root(), "name");
    }

    String uuid() {
        return Xml.childText(root(), "uuid");
    }

    Optional<DuplexMetadata> metadata() {
        Element metadata = Xml.child(root(), "metadata");
        if (metadata == null) {
            return Optional.empty();
        }
        for (Node n = metadata.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && DuplexMetadata.NAMESPACE.equals(e.getNamespaceURI())) {
                return DuplexMetadata.fromElement(e);
            }
        }
        return Optional.empty();
    }

    /** Replaces Duplex's element in {@code <metadata>}, keeping everyone else's. */
    void replaceMetadata(DuplexMetadata value) {
        Element metadata = Xml.child(root(), "metadata");
        if (metadata == null) {
            metadata = document.createElement("metadata");
            Element name = Xml.child(root(), "uuid") != null ? Xml.child(root(), "uuid") : Xml.child(root(), "name");
            root().insertBefore(metadata, name == null ? root().getFirstChild() : name.getNextSibling());
        }
        for (Node n = metadata.getFirstChild(); n != null; ) {
            Node next = n.getNextSibling();
            if (n instanceof Element e && DuplexMetadata.NAMESPACE.equals(e.getNamespaceURI())) {
                metadata.removeChild(e);
            }
            n = next;
        }
        Element fresh = Xml.parse(value.toXml()).getDocumentElement();
        metadata.appendChild(document.importNode(fresh, true));
    }

    Optional<String> nvramPath() {
        String text = Xml.childText(Xml.child(root(), "os"), "nvram");
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    void setNvramPath(String path) {
        Element nvram = Xml.child(Xml.child(root(), "os"), "nvram");
        if (nvram == null) {
            throw new IllegalStateException("domain " + name() + " has no <nvram>");
        }
        nvram.setTextContent(path);
    }

    /** The file a {@code <serial type='file'>} writes to, if any. */
    Optional<String> serialLog() {
        for (Element serial : Xml.children(Xml.child(root(), "devices"), "serial")) {
            Element source = Xml.child(serial, "source");
            if ("file".equals(serial.getAttribute("type")) && source != null && !source.getAttribute("path").isEmpty()) {
                return Optional.of(source.getAttribute("path"));
            }
        }
        return Optional.empty();
    }

    /**
     * A disk of the domain.
     *
     * @param target the target device ({@code vdb})
     * @param pool the pool of a {@code type='volume'} disk, else ""
     * @param volume the volume of a {@code type='volume'} disk, else ""
     * @param file the file of a {@code type='file'} disk, else ""
     * @param xml the {@code <disk>} element as XML, for detaching it
     */
    record Disk(String target, String pool, String volume, String file, String xml) {}

    List<Disk> disks() {
        var out = new ArrayList<Disk>();
        for (Element disk : Xml.children(Xml.child(root(), "devices"), "disk")) {
            Element source = Xml.child(disk, "source");
            Element target = Xml.child(disk, "target");
            out.add(new Disk(
                    target == null ? "" : target.getAttribute("dev"),
                    source == null ? "" : source.getAttribute("pool"),
                    source == null ? "" : source.getAttribute("volume"),
                    source == null ? "" : source.getAttribute("file"),
                    Xml.write(disk)));
        }
        return out;
    }

    String xml() {
        return Xml.write(document);
    }
}
