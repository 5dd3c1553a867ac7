package portico;
public final class Portico { public static void main(String[] a) { System.out.println("hi"); } }
