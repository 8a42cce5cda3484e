package org.flotilla.api;

import java.util.Map;
import java.util.function.Predicate;
import org.flotilla.model.ApiError;

/**
 * The expression language of get_all_records_where, as XAPI's clients write it:
 * {@code field "name_label"="foo" and not (field "power_state"="Halted" or true)}.
 */
final class WhereExpr {
    private final String src;
    private int pos;

    private WhereExpr(String src) { this.src = src; }

    static Predicate<Map<String, Object>> parse(String expr) {
        var p = new WhereExpr(expr);
        Predicate<Map<String, Object>> result = p.or();
        p.skipSpace();
        if (p.pos != p.src.length()) throw p.error();
        return result;
    }

    private Predicate<Map<String, Object>> or() {
        var left = and();
        while (keyword("or")) { var l = left; var r = and(); left = rec -> l.test(rec) || r.test(rec); }
        return left;
    }

    private Predicate<Map<String, Object>> and() {
        var left = unary();
        while (keyword("and")) { var l = left; var r = unary(); left = rec -> l.test(rec) && r.test(rec); }
        return left;
    }

    private Predicate<Map<String, Object>> unary() {
        if (keyword("not")) { var inner = unary(); return rec -> !inner.test(rec); }
        if (keyword("true")) return rec -> true;
        if (keyword("false")) return rec -> false;
        skipSpace();
        if (peek('(')) {
            pos++;
            var inner = or();
            skipSpace();
            if (!peek(')')) throw error();
            pos++;
            return inner;
        }
        if (keyword("field")) {
            String field = quoted();
            skipSpace();
            boolean negate = src.startsWith("<>", pos);
            if (negate) pos += 2;
            else if (peek('=')) pos++;
            else throw error();
            String value = quoted();
            return rec -> {
                Object v = rec.get(field);
                boolean eq = v != null && String.valueOf(v).equals(value);
                return negate != eq;
            };
        }
        throw error();
    }

    private String quoted() {
        skipSpace();
        if (!peek('"')) throw error();
        int end = src.indexOf('"', pos + 1);
        if (end < 0) throw error();
        String s = src.substring(pos + 1, end);
        pos = end + 1;
        return s;
    }

    private boolean keyword(String k) {
        skipSpace();
        if (src.regionMatches(true, pos, k, 0, k.length())) {
            int after = pos + k.length();
            if (after == src.length() || !Character.isLetterOrDigit(src.charAt(after))) { pos = after; return true; }
        }
        return false;
    }

    private boolean peek(char c) { return pos < src.length() && src.charAt(pos) == c; }

    private void skipSpace() { while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++; }

    private ApiError error() { return ApiError.internal("could not parse expression: " + src); }
}
