package dev.duplex.driver.vmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The datastore file transfer URL is built from checked parts, each encoded on its own: no name can leave its place. */
class DatastoreFilesUrlTest {
    private final DatastoreFiles files = new DatastoreFiles(HttpClient.newHttpClient(), URI.create("https://vc.example/sdk"),
            "DC 0&x=1", "LocalDS_0", "vmware_soap_session=\"s\"");

    @Test
    void pathsThatCouldLeaveTheirFolderAreRefused() {
        List<String> hostile = List.of("..", "../x.nvram", "vm/../../etc/passwd", "vm/..", "./vm.nvram", "vm/./x", "vm//x", "/vm/x",
                "vm/", "", "vm\\..\\x", "vm/x\u0000.nvram", "vm/x\n.nvram", "vm/\u007fx", "a".repeat(DatastorePath.MAX_LENGTH + 1));
        for (String path : hostile) {
            assertThrows(IllegalArgumentException.class, () -> new DatastorePath("LocalDS_0", path), () -> "path " + escape(path));
        }
        for (String datastore : List.of("", "a/b", "a]b", "[a", "a\nb", "d".repeat(256))) {
            assertThrows(IllegalArgumentException.class, () -> new DatastorePath(datastore, "vm/vm.nvram"), () -> "datastore " + escape(datastore));
        }
        for (String text : List.of("LocalDS_0 vm/x", "[LocalDS_0]vm/x", "[LocalDS_0] ../x", "[LocalDS_0] ", "[] x")) {
            assertThrows(IllegalArgumentException.class, () -> DatastorePath.parse(text), () -> "datastore path " + escape(text));
        }
        System.out.println("hostile datastore paths refused: " + (hostile.size() + 6 + 5));
    }

    @Test
    void namesWithSpacesUnicodeAndUrlCharactersStayInTheirPlace() {
        List<String> names = List.of("vm (1)/vm (1).nvram", "ünïcødé 虚拟机/设置.nvram", "a?b=c/d#e.nvram", "x%2e%2e/y%2F..nvram",
                "plus+and&amp/semi;colon*.nvram", "a".repeat(200) + "/" + "b".repeat(DatastorePath.MAX_LENGTH - 202));
        for (String path : names) {
            URI uri = files.uri(new DatastorePath("Local DS/ü".replace("/", "_"), path));
            assertTrue(uri.getRawPath().startsWith("/folder/"), uri.toString());
            assertEquals("/folder/" + path, uri.getPath(), "the decoded path is the name itself, no more, no less");
            assertFalse(uri.getRawPath().substring("/folder/".length()).matches(".*[ ?#&+*;=].*"), "raw path is all encoded: " + uri);
            String[] query = uri.getRawQuery().split("&");
            assertEquals(2, query.length, "exactly two parameters: " + uri.getRawQuery());
            assertEquals("dcPath=DC 0&x=1", "dcPath=" + URLDecoder.decode(query[0].substring(7), StandardCharsets.UTF_8));
            assertEquals("Local DS_ü", URLDecoder.decode(query[1].substring("dsName=".length()), StandardCharsets.UTF_8));
            assertEquals("vc.example", uri.getHost(), "a name never changes the host");
        }
        System.out.println("awkward but legal datastore names kept in place: " + names.size());
    }

    @Test
    void aVsphereDatastorePathIsParsedIntoItsParts() {
        DatastorePath vmx = DatastorePath.parse("[LocalDS_0] vm (1)/vm.vmx");
        assertEquals(new DatastorePath("LocalDS_0", "vm (1)/vm.vmx"), vmx);
        assertEquals("[LocalDS_0] vm (1)/vm.nvram", vmx.folder().orElseThrow().resolve("vm.nvram").toString());
        assertTrue(new DatastorePath("LocalDS_0", "vm.vmx").folder().isEmpty());
    }

    private static String escape(String text) {
        return dev.duplex.api.VisibleText.escape(text.length() > 60 ? text.substring(0, 60) + "…" : text);
    }
}
