package dev.xraybatch.agent.spark;

import java.io.File;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/**
 * Reads a file through the Hadoop file system Spark itself uses ({@code s3://} on Glue and EMR, {@code s3a://},
 * {@code hdfs://}), configured from the job's SparkConf like Spark's own reads. All by reflection: the agent
 * compiles against neither Spark nor Hadoop.
 */
final class HadoopDownload implements ConfigLocation.Download {
    private final Object sparkConf;

    HadoopDownload(Object sparkConf) {
        this.sparkConf = sparkConf;
    }

    @Override
    public File fetch(String url) throws Exception {
        try {
            ClassLoader loader = sparkConf.getClass().getClassLoader();
            Class<?> sparkConfClass = Class.forName("org.apache.spark.SparkConf", false, loader);
            Class<?> hadoopUtilClass = Class.forName("org.apache.spark.deploy.SparkHadoopUtil", true, loader);
            Class<?> configurationClass = Class.forName("org.apache.hadoop.conf.Configuration", false, loader);
            Class<?> pathClass = Class.forName("org.apache.hadoop.fs.Path", true, loader);

            Object hadoopUtil = hadoopUtilClass.getMethod("get").invoke(null);
            Object configuration = hadoopUtilClass.getMethod("newConfiguration", sparkConfClass)
                    .invoke(hadoopUtil, sparkConf);
            Object path = pathClass.getConstructor(String.class).newInstance(url);
            Object fileSystem = pathClass.getMethod("getFileSystem", configurationClass).invoke(path, configuration);
            File local = File.createTempFile("xray-batch-config-", "-" + url.substring(url.lastIndexOf('/') + 1));
            local.deleteOnExit();
            try (InputStream in = (InputStream) fileSystem.getClass().getMethod("open", pathClass)
                    .invoke(fileSystem, path)) {
                Files.copy(in, local.toPath(), StandardCopyOption.REPLACE_EXISTING);
            }
            return local;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ? (Exception) cause : e;
        }
    }
}
