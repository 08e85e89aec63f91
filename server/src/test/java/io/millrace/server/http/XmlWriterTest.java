package io.millrace.server.http;

import org.junit.jupiter.api.Test;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XmlWriterTest {

    @Test
    void mapsListsAndScalars() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", "x");
        data.put("skipped", null);
        data.put("list", List.of(1, 2.5, true));
        data.put("nested", Map.of("a", 7L));
        assertThat(XmlWriter.document("result", data)).isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<result><name>x</name><list><_0>1</_0><_1>2.5</_1><_2>true</_2></list>"
                + "<nested><a>7</a></nested></result>\n");
        assertThat(XmlWriter.document("r", List.of())).contains("<r></r>");
        assertThat(XmlWriter.document("r", Arrays.asList("a", null, "c"))).contains("<r><_0>a</_0><_2>c</_2></r>");
    }

    @Test
    void escapesTextAndReplacesWhatXmlCannotCarry() throws Exception {
        String nasty = "a&b<c>d\"e'f\r\ng\u0001h\uD800i\uD83D\uDE00j]]>";
        String doc = XmlWriter.document("v", nasty);
        assertThat(doc).contains("a&amp;b&lt;c&gt;d\"e'f&#13;\ng\uFFFDh\uFFFDi\uD83D\uDE00j]]&gt;");
        String parsed = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement().getTextContent();
        assertThat(parsed).isEqualTo("a&b<c>d\"e'f\r\ng\uFFFDh\uFFFDi\uD83D\uDE00j]]>");
    }

    @Test
    void refusesNamesThatAreNotXmlNames() {
        assertThatThrownBy(() -> XmlWriter.document("r", Map.of("a b", 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> XmlWriter.document("r", Map.of("1a", 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> XmlWriter.document("xmlthing", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
