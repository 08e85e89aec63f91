package io.millrace.server.app;

import io.millrace.amf.AmfArray;
import io.millrace.amf.AmfObject;
import io.millrace.amf.AmfUndefined;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AmfValuesTest {
    record Point(int x, String label) {
    }

    @Test
    void wireValuesBecomePlainJava() {
        assertThat(AmfValues.toJava(7)).as("an AMF3 integer").isEqualTo(7.0);
        assertThat(AmfValues.toJava(AmfUndefined.INSTANCE)).isNull();
        AmfObject o = AmfObject.of("a", 1.0, "b", List.of(2, "x"));
        assertThat(AmfValues.toJava(o)).isEqualTo(Map.of("a", 1.0, "b", List.of(2.0, "x")));
        AmfArray mixed = new AmfArray(new ArrayList<>(List.of("zero")), AmfObject.ecmaArray(Map.of("k", true)));
        assertThat(AmfValues.toJava(mixed)).isEqualTo(Map.of("0", "zero", "k", true));
        byte[] bytes = {1, 2};
        Object copy = AmfValues.toJava(bytes);
        assertThat(copy).isEqualTo(bytes).isNotSameAs(bytes);
    }

    @Test
    void aSmallValueThatNamesItsPartsOverAndOverIsRefused() {
        // Each level refers twice to the one below, as AMF references allow: 2^40 values once copied.
        Object v = "leaf";
        for (int i = 0; i < 40; i++) {
            v = List.of(v, v);
        }
        Object shared = v;
        assertThatThrownBy(() -> AmfValues.toJava(shared)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value holds more than 100000 values");
        Object deep = "x";
        for (int i = 0; i < 100; i++) {
            deep = List.of(deep);
        }
        Object nested = deep;
        assertThatThrownBy(() -> AmfValues.toJava(nested)).hasMessage("value nested more than 64 deep");
    }

    @Test
    void applicationValuesBecomeAmf() {
        assertThat(AmfValues.toAmf(3)).isEqualTo(3.0);
        assertThat(AmfValues.toAmf(new Point(1, "p"))).isEqualTo(AmfObject.of("x", 1.0, "label", "p"));
        assertThat(AmfValues.toAmf(new int[]{1, 2})).isEqualTo(List.of(1.0, 2.0));
        assertThat(AmfValues.toAmf(java.time.Instant.ofEpochMilli(5))).isEqualTo(new Date(5));
        assertThat(AmfValues.toAmf(Map.of("l", List.of(Map.of())))).isEqualTo(AmfObject.of("l", List.of(new AmfObject())));
    }

    @Test
    void whatCannotBeSentIsRefused() {
        assertThatThrownBy(() -> AmfValues.toAmf(new Thread())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Thread");
        List<Object> self = new ArrayList<>();
        self.add(self);
        assertThatThrownBy(() -> AmfValues.toAmf(self)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refers to itself");
    }
}
