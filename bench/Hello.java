/** The smallest program: what start-up costs when nothing else does. */
public final class Hello {
    public static void main(String[] args) {
        System.out.println("Hello");
    }
}
