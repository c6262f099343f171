package dev.duplex.driver.vmware;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ws.VimStub;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.doublecloud.ws.util.TypeUtil;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * The test harness's half of the bridge between vcsim (govmomi 0.24, API 6.5) and yavijava (API
 * 6.0), which reads SOAP strictly. Two incompatibilities, both vcsim's and the old client's, not
 * the driver's, and so bridged here and never in the driver:
 *
 * <ol>
 *   <li>vcsim sends every field of API 6.5; yavijava throws on an element its classes have no
 *       field for, on an {@code xsi:type} it has no class for and on an enum value it does not
 *       know. This filter walks each answer the way yavijava's reader will (from the return type
 *       of the {@link VimStub} method, by reflection over the client's own classes) and drops what
 *       the client would choke on: what it cannot read, a real vCenter of its API version would
 *       not have sent.</li>
 *   <li>govmomi writes a reference as {@code XMLSchema-instance:type="ManagedObjectReference"
 *       type="Folder"}; yavijava reads the first attribute named {@code type} as the object's
 *       type. The filter writes the schema-instance attribute back with the {@code xsi} prefix,
 *       after {@code type}, as vCenter does.</li>
 * </ol>
 */
final class ClientSchemaFilter {
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    private static final String XMLNS = "http://www.w3.org/2000/xmlns/";

    private final Map<String, Method> stubMethods = new HashMap<>();

    ClientSchemaFilter() {
        for (Method method : VimStub.class.getMethods()) {
            stubMethods.putIfAbsent(method.getName(), method);
        }
    }

    /** The answer to {@code operation} (like {@code RetrieveProperties}) as yavijava can read it. */
    byte[] filter(String operation, byte[] answer) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(new ByteArrayInputStream(answer));
        Element envelope = document.getDocumentElement();
        Element body = firstChild(envelope);
        Element response = body == null ? null : firstChild(body);
        if (response != null) {
            if (response.getLocalName().contains("Fault")) {
                filterFault(response);
            } else {
                filterResponse(operation, response);
            }
        }
        envelope.setAttributeNS(XMLNS, "xmlns:xsi", XSI);
        rewriteSchemaInstanceTypes(envelope);
        ByteArrayOutputStream out = new ByteArrayOutputStream(answer.length);
        var transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
        transformer.transform(new DOMSource(document), new StreamResult(out));
        return out.toByteArray();
    }

    private void filterFault(Element fault) {
        for (Element child : children(fault)) {
            if (child.getLocalName().equals("detail")) {
                Element detail = firstChild(child);
                Class<?> type = detail == null ? null : vimClass(xsiType(detail));
                if (type != null) {
                    filterObject(type, detail);
                }
            }
        }
    }

    private void filterResponse(String operation, Element response) {
        Method method = stubMethods.get(Character.toLowerCase(operation.charAt(0)) + operation.substring(1));
        if (method == null) {
            return;
        }
        Class<?> type = method.getReturnType();
        Class<?> item = type.isArray() ? type.getComponentType() : type;
        if (item == void.class || item == ManagedObjectReference.class || TypeUtil.isBasicType(item)) {
            return;
        }
        for (Element value : children(response)) {
            Class<?> actual = narrowed(item, xsiType(value));
            if (actual == null) {
                response.removeChild(value);
            } else {
                filterObject(actual, value);
            }
            if (!type.isArray()) {
                return;
            }
        }
    }

    private void filterObject(Class<?> type, Element node) {
        for (Element child : children(node)) {
            Field field = field(type, child.getLocalName());
            if (field == null) {
                node.removeChild(child);
                continue;
            }
            Class<?> declared = field.getType().isArray() ? field.getType().getComponentType() : field.getType();
            String xsiType = xsiType(child);
            Class<?> actual = xsiType == null || xsiType.startsWith("xsd:") ? declared : narrowed(declared, xsiType);
            if (actual == null) {
                node.removeChild(child);
            } else if (actual.isEnum()) {
                if (!hasConstant(actual, child.getTextContent())) {
                    node.removeChild(child);
                }
            } else if (actual != ManagedObjectReference.class && actual != Object.class && !TypeUtil.isBasicType(actual)) {
                filterObject(actual, child);
            }
        }
    }

    /** The client's class for {@code xsiType} if it fits where {@code declared} is expected, else null. */
    private static Class<?> narrowed(Class<?> declared, String xsiType) {
        if (xsiType == null) {
            return declared;
        }
        Class<?> actual = vimClass(xsiType);
        return actual != null && declared.isAssignableFrom(actual) ? actual : null;
    }

    private static Class<?> vimClass(String name) {
        if (name == null) {
            return null;
        }
        try {
            return TypeUtil.getVimClass(name.substring(name.indexOf(':') + 1));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Field field(Class<?> type, String name) {
        for (String candidate : List.of(name, "_" + name)) {
            try {
                return type.getField(candidate);
            } catch (NoSuchFieldException e) {
                // try the next spelling: yavijava prefixes fields named like Java keywords with '_'
            }
        }
        return null;
    }

    private static boolean hasConstant(Class<?> enumType, String value) {
        for (Object constant : enumType.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static String xsiType(Element element) {
        Attr attribute = element.getAttributeNodeNS(XSI, "type");
        return attribute == null ? null : attribute.getValue();
    }

    /** Every schema-instance type attribute under {@code root} written as {@code xsi:type}. */
    private static void rewriteSchemaInstanceTypes(Element root) {
        Attr attribute = root.getAttributeNodeNS(XSI, "type");
        if (attribute != null && !"xsi".equals(attribute.getPrefix())) {
            String value = attribute.getValue();
            root.removeAttributeNode(attribute);
            root.setAttributeNS(XSI, "xsi:type", value);
        }
        NamedNodeMap attributes = root.getAttributes();
        List<Attr> prefixDeclarations = new ArrayList<>();
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr a = (Attr) attributes.item(i);
            if (XMLNS.equals(a.getNamespaceURI()) && XSI.equals(a.getValue()) && !a.getLocalName().equals("xsi")) {
                prefixDeclarations.add(a);
            }
        }
        prefixDeclarations.forEach(root::removeAttributeNode);
        for (Element child : children(root)) {
            rewriteSchemaInstanceTypes(child);
        }
    }

    private static Element firstChild(Element parent) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent) {
        List<Element> children = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                children.add(e);
            }
        }
        return children;
    }
}
